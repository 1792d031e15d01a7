package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void aLineIsTheCombinedFormatAndTheMicroseconds() {
        // Buffered until close, then written whole; quotes and control bytes escaped as nginx does.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = new AccessLog(out);
        log.accept(new Exchange("127.0.0.1", "GET", "/a?b=\"c\"", "HTTP/1.1", 200, 19, "http://r/", "ua\u0001\u00e9",
                0, 412_345));
        log.accept(Exchange.headless("::1", 408, 12, 0));
        log.close();
        List<String> lines = out.toString(StandardCharsets.US_ASCII).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("127\\.0\\.0\\.1 - - \\[01/Jan/1970:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}] "
                + "\"GET /a\\?b=\\\\x22c\\\\x22 HTTP/1\\.1\" 200 19 \"http://r/\" \"ua\\\\x01\\\\xe9\" 412"), lines.get(0));
        assertTrue(lines.get(1).endsWith("\"-\" 408 12 \"-\" \"-\" 0"), lines.get(1));
    }

    @Test
    void aLineLongerThanTheBufferIsWrittenWhole() {
        // A 100,000-byte User-Agent of quotes escapes to 400,000 bytes: the buffer grows for it, nothing is cut.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = new AccessLog(out);
        log.accept(new Exchange("10.0.0.1", "POST", "/", "HTTP/1.0", 413, 0, null, "\"".repeat(100_000), 0, 9_999_999_000L));
        log.close();
        List<String> lines = out.toString(StandardCharsets.US_ASCII).lines().toList();
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).endsWith("\"POST / HTTP/1.0\" 413 0 \"-\" \"" + "\\x22".repeat(100_000) + "\" 9999999"),
                lines.get(0).substring(0, 100));
    }
}
