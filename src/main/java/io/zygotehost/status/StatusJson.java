package io.zygotehost.status;

import com.fasterxml.jackson.core.JsonGenerator;
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

/**
 * The JSON of {@link HostStatus}: {@code status --json}, the admin endpoint's {@code /status.json}, and
 * the status a master sends the command line. Jackson databind, which the status's many nested records
 * and snake_case names want; only the master and the command line load it (the wire's own messages are
 * {@link io.zygotehost.ipc.WireJson}).
 */
public final class StatusJson {

    private static final ObjectMapper JSON = JsonMapper.builder()
            // A newer master may add fields: an older command line ignores them.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(instantsAsText())
            .build();

    private StatusJson() {}

    public static ObjectMapper mapper() {
        return JSON;
    }

    /**
     * Instants as ISO-8601 text to the millisecond ({@code "2026-11-23T15:40:12.345Z"}), which scripts
     * and people read, without the jsr310 module's jar for one type.
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
}
