package io.zygotehost.ipc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The one codec of the wire: a {@link Message} as one line of JSON. */
public final class MessageCodec {

    private static final ObjectMapper JSON = JsonMapper.builder()
            // A newer peer may add fields: an older one ignores them rather than dropping the connection.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private MessageCodec() {}

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

    /** The shared mapper, for the other JSON the host writes (child specs, status). */
    public static ObjectMapper json() {
        return JSON;
    }
}
