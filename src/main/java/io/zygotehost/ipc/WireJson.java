package io.zygotehost.ipc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the wire (messages, the generation's spec), on jackson-core's streaming parser and
 * generator alone. Not databind: every worker codes a few messages a second, and databind's ~700
 * classes (its introspection, a (de)serializer built per type) were 5 to 8 MB of each worker's
 * memory, the largest library in it. A type writes its own fields; an object reads back as
 * {@link Fields}, plain values by name.
 */
public final class WireJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private WireJson() {}

    /** Writes the fields of one JSON object. */
    @FunctionalInterface
    public interface ObjectWriter {
        void write(JsonGenerator out) throws IOException;
    }

    /** One JSON object, on one line: {@code body} writes its fields. */
    public static String object(ObjectWriter body) {
        StringWriter text = new StringWriter(128);
        try (JsonGenerator out = FACTORY.createGenerator(text)) {
            out.writeStartObject();
            body.write(out);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /** Reads one JSON object; an error names what is wrong and where. */
    public static Fields read(String json) throws IOException {
        try (JsonParser in = FACTORY.createParser(json)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object: " + abbreviate(json));
            }
            return new Fields(readObject(in));
        }
    }

    private static Map<String, Object> readObject(JsonParser in) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String name = in.nextFieldName(); name != null; name = in.nextFieldName()) {
            fields.put(name, readValue(in, in.nextToken()));
        }
        return fields;
    }

    /** A value as plain Java: Map, List, String, Long, Double, Boolean or null. */
    private static Object readValue(JsonParser in, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> readObject(in);
            case START_ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (JsonToken item = in.nextToken(); item != JsonToken.END_ARRAY; item = in.nextToken()) {
                    items.add(readValue(in, item));
                }
                yield items;
            }
            case VALUE_STRING -> in.getText();
            case VALUE_NUMBER_INT -> in.getLongValue();
            case VALUE_NUMBER_FLOAT -> in.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + token + " at " + in.currentLocation());
        };
    }

    // ---- writing the shapes the wire has ----

    public static void writeTexts(JsonGenerator out, String name, List<String> texts) throws IOException {
        out.writeArrayFieldStart(name);
        for (String text : texts) {
            out.writeString(text);
        }
        out.writeEndArray();
    }

    public static void writeTextMap(JsonGenerator out, String name, Map<String, String> map) throws IOException {
        out.writeObjectFieldStart(name);
        for (Map.Entry<String, String> entry : map.entrySet()) {
            out.writeStringField(entry.getKey(), entry.getValue());
        }
        out.writeEndObject();
    }

    public static void writeLongs(JsonGenerator out, String name, long[] numbers) throws IOException {
        out.writeArrayFieldStart(name);
        for (long number : numbers) {
            out.writeNumber(number);
        }
        out.writeEndArray();
    }

    /** A path as its text, or null. */
    public static void writePath(JsonGenerator out, String name, Path path) throws IOException {
        if (path == null) {
            out.writeNullField(name);
        } else {
            out.writeStringField(name, path.toString());
        }
    }

    private static String abbreviate(String json) {
        return json.length() <= 80 ? json : json.substring(0, 80) + "...";
    }

    /**
     * A JSON object's fields by name. A field that is absent (or null) reads as Java's default for
     * its kind: 0, false, null, an empty list or map; so a field added by a newer peer is ignored
     * by an older one, and one it lacks is the default. A field of the wrong kind is an error.
     */
    public record Fields(Map<String, Object> values) {

        public String text(String name) {
            return as(name, String.class);
        }

        public long number(String name) {
            Long number = as(name, Long.class);
            return number == null ? 0 : number;
        }

        public int integer(String name) {
            return Math.toIntExact(number(name));
        }

        public boolean flag(String name) {
            return Boolean.TRUE.equals(as(name, Boolean.class));
        }

        public Path path(String name) {
            String text = text(name);
            return text == null ? null : Path.of(text);
        }

        /** A nested object; null when absent. */
        @SuppressWarnings("unchecked")
        public Fields object(String name) {
            Map<String, Object> map = as(name, Map.class);
            return map == null ? null : new Fields(map);
        }

        public List<String> texts(String name) {
            List<String> texts = new ArrayList<>();
            for (Object item : list(name)) {
                texts.add(item(name, item, String.class));
            }
            return texts;
        }

        public List<Fields> objects(String name) {
            List<Fields> objects = new ArrayList<>();
            for (Object item : list(name)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = item(name, item, Map.class);
                objects.add(new Fields(map));
            }
            return objects;
        }

        public long[] longs(String name) {
            List<?> items = list(name);
            long[] numbers = new long[items.size()];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = item(name, items.get(i), Long.class);
            }
            return numbers;
        }

        public Map<String, String> textMap(String name) {
            Fields map = object(name);
            Map<String, String> texts = new LinkedHashMap<>();
            if (map != null) {
                for (String key : map.values().keySet()) {
                    texts.put(key, map.text(key));
                }
            }
            return texts;
        }

        private List<?> list(String name) {
            List<?> list = as(name, List.class);
            return list == null ? List.of() : list;
        }

        private <T> T as(String name, Class<T> kind) {
            return item(name, values.get(name), kind);
        }

        private static <T> T item(String name, Object value, Class<T> kind) {
            if (value != null && !kind.isInstance(value)) {
                throw new IllegalArgumentException("field \"" + name + "\": expected " + kind.getSimpleName().toLowerCase()
                        + ", got " + value);
            }
            return kind.cast(value);
        }
    }
}
