package io.zygotehost.exec.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A command-line program on a large library: jackson-databind writes {@code N} (default 200) records as
 * JSON, reads them back as beans and as a tree, and prints a summary. Most of its time, run cold, is
 * jackson's classes loading and linking: the case where a warm JVM and an AOT cache pay.
 */
public final class JsonRoundTrip {

    public record Order(long id, String customer, List<Line> lines, Map<String, String> tags) {}

    public record Line(String sku, int quantity, double price) {}

    private JsonRoundTrip() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, String> tags = new TreeMap<>();
            tags.put("region", i % 2 == 0 ? "north" : "south");
            orders.add(new Order(i, "customer-" + i, List.of(new Line("sku-" + i, i % 7 + 1, i * 1.25)), tags));
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String json = mapper.writeValueAsString(orders);
        Order[] back = mapper.readValue(json, Order[].class);
        JsonNode tree = mapper.readTree(json);
        double total = 0;
        for (Order order : back) {
            for (Line line : order.lines()) {
                total += line.quantity() * line.price();
            }
        }
        System.out.printf("%d orders, %d bytes of JSON, %d nodes, total %.2f%n", back.length, json.length(), tree.size(), total);
    }
}
