package io.zygotehost.ipc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The one codec of the wire: a {@link Message} as one line of JSON. */
public final class MessageCodec {

    private static final ObjectMapper JSON = JsonMapper.builder()
            // A newer peer may add fields: an older one ignores them rather than dropping the connection.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(instantsAsText())
            .build();

    private MessageCodec() {}

    /**
     * Instants as ISO-8601 text to the millisecond ({@code "2026-11-23T15:40:12.345Z"}), which scripts
     * and people read, without the jsr310 module's jar in every child's class path for one type.
     */
    private static SimpleModule instantsAsText() {
        return new SimpleModule("instants")
                .addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
                    @Override
                    public void serialize(Instant instant, JsonGenerator out, SerializerProvider provider) throws IOException {
                        out.writeString(instant.truncatedTo(ChronoUnit.MILLIS).toString());
                    }
                })
                .addDeserializer(Instant.class, new FromStringDeserializer<>(Instant.class) {
                    @Override
                    protected Instant _deserialize(String text, DeserializationContext context) {
                        return Instant.parse(text);
                    }
                });
    }

    public static String encode(Message message) {
        try {
            return JSON.writerFor(Message.class).writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message, e);
        }
    }

    public static Message decode(String line) throws IOException {
        return JSON.readValue(line, Message.class);
    }

    /**
     * Encodes and decodes one of each message that must go fast once the process is up: a worker's death and
     * a spare's activation. Jackson builds a type's serializer and deserializer at its first use, and in a
     * zygote (C1 only) or a spare that took 10 to 25 ms per type, on the path from a crash to its replacement
     * serving: measured on a spare's activation, 28 ms from the worker's SIGKILL to the master's news of it,
     * 27 ms more to the spare's "activated".
     */
    public static void warmUp() {
        List<Message> samples = List.of(new Message.WorkerExited(1, 1, 0, 9),
                new Message.WorkerSpawned(1, 1), new Message.SpawnWorker(1, true, "", ""), new Message.Activate(),
                new Message.WorkerReady(), new Message.Drain());
        for (Message sample : samples) {
            try {
                if (!decode(encode(sample)).equals(sample)) {
                    throw new IllegalStateException("the codec does not round-trip " + sample);
                }
            } catch (IOException e) {
                throw new IllegalStateException("the codec cannot read back " + sample, e);
            }
        }
    }

    /** The shared mapper, for the other JSON the host writes (child specs, status). */
    public static ObjectMapper json() {
        return JSON;
    }
}
