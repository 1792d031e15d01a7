package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import io.zygotehost.status.StatusJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A /metrics page read back by Prometheus's own Python client, as a scraper reads it: its parser of
 * the text format 0.0.4, or its strict OpenMetrics parser (which checks the histograms: buckets in
 * order and cumulative, +Inf present, _count equal to it, counters named _total, # EOF at the end).
 * A page either parser refuses fails the test with the parser's error.
 */
record ScrapedMetrics(List<Sample> samples) {

    record Sample(String family, String type, String name, Map<String, String> labels, String value) {

        double number() {
            return switch (value) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            };
        }
    }

    private static final String PARSE = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families as text_format
            from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
            parse = openmetrics if sys.argv[1] == 'openmetrics' else text_format
            print(json.dumps([{'family': f.name, 'type': f.type, 'name': s.name, 'labels': s.labels, 'value': str(s.value)}
                              for f in parse(sys.stdin.read()) for s in f.samples]))
            """;

    /** @param format {@code text} (0.0.4) or {@code openmetrics} */
    static ScrapedMetrics parse(String page, String format) throws IOException, InterruptedException {
        Path out = Files.createTempFile("metrics", ".json");
        try {
            Process python = new ProcessBuilder(TestTools.python().toString(), "-c", PARSE, format)
                    .redirectOutput(out.toFile()).redirectErrorStream(false).start();
            try (OutputStream in = python.getOutputStream()) {
                in.write(page.getBytes(StandardCharsets.UTF_8));
            }
            String errors = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!python.waitFor(30, TimeUnit.SECONDS)) {
                python.destroyForcibly();
                fail("the Prometheus parser did not end within 30s");
            }
            if (python.exitValue() != 0) {
                fail("Prometheus's " + format + " parser refuses the page: " + errors + "\nthe page:\n" + page);
            }
            return new ScrapedMetrics(StatusJson.mapper().readValue(Files.readString(out), new TypeReference<List<Sample>>() {}));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The sum of the samples of that name whose labels include the given ones (name, value, name, value...). */
    double sum(String name, String... labels) {
        return samples.stream().filter(s -> s.name().equals(name) && matches(s.labels(), labels))
                .mapToDouble(Sample::number).sum();
    }

    /** The one sample of that name with exactly these labels among others; fails if there is none. */
    double value(String name, String... labels) {
        List<Sample> matching = samples.stream().filter(s -> s.name().equals(name) && matches(s.labels(), labels)).toList();
        if (matching.size() != 1) {
            fail("expected one sample " + name + " " + List.of(labels) + ", found " + matching);
        }
        return matching.getFirst().number();
    }

    private static boolean matches(Map<String, String> have, String... wanted) {
        for (int i = 0; i < wanted.length; i += 2) {
            if (!wanted[i + 1].equals(have.get(wanted[i]))) {
                return false;
            }
        }
        return true;
    }
}
