package io.zygotehost.worker;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's access log: one line per answered request in the combined log format, plus the time the
 * request took in microseconds (Apache's %D):
 * {@code 127.0.0.1 - - [23/Nov/2026:17:30:00 +0000] "GET / HTTP/1.1" 200 19 "-" "curl/8.5" 412}.
 * Quoted fields are escaped as nginx does (a quote, a backslash, a control or non-ASCII byte becomes \xHH),
 * so a line is always one line. Nothing of the request's credentials is logged: no user, no Authorization, no
 * Cookie ({@link Exchange} does not carry them).
 *
 * <p>The event loops append to a buffer; a thread of its own writes the buffer to the master's pipe every
 * {@value #FLUSH_MILLIS} ms or when it fills, so a request never waits for a write. When the master falls
 * behind by more than {@value #MAX_BUFFERED} bytes, the event loops wait for it rather than lose lines.
 */
final class AccessLog implements Consumer<Exchange> {

    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    static final long FLUSH_MILLIS = 100;
    static final int FLUSH_AT = 32 * 1024;
    static final int MAX_BUFFERED = 4 << 20;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final OutputStream out;
    /** Lines not yet written; guarded by this. */
    private byte[] buffer = new byte[FLUSH_AT * 2];
    private int buffered;
    private boolean closed;
    /** The formatted time of {@link #cachedSecond}: requests of one second share it. Guarded by this. */
    private long cachedSecond = -1;
    private String cachedTime;

    AccessLog(OutputStream out) {
        this.out = out;
        Thread writer = new Thread(this::writeLoop, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Opens the pipe the master reads (it waits for us there, so this does not block for long). */
    static AccessLog open(Path pipe) throws IOException {
        return new AccessLog(new FileOutputStream(pipe.toFile()));
    }

    /** On an event loop. */
    @Override
    public void accept(Exchange exchange) {
        StringBuilder line = new StringBuilder(160);
        line.append(exchange.client()).append(" - - [");
        int timeAt = line.length();
        line.append("] ");
        quoted(line, exchange.requestLine());
        line.append(' ').append(exchange.status()).append(' ').append(exchange.bytes()).append(' ');
        quoted(line, exchange.referer());
        line.append(' ');
        quoted(line, exchange.userAgent());
        line.append(' ').append(exchange.durationNanos() / 1000).append('\n');
        synchronized (this) {
            line.insert(timeAt, time(exchange.startMillis()));
            while (buffered > MAX_BUFFERED && !closed) {
                waitForWriter();
            }
            append(line);
            if (buffered >= FLUSH_AT) {
                notifyAll();
            }
        }
    }

    /** Writes what is buffered and stops; at the worker's exit. */
    void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        flush();
    }

    private void writeLoop() {
        while (true) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (buffered < FLUSH_AT) {
                    waitForWriter(FLUSH_MILLIS);
                }
            }
            flush();
        }
    }

    /** Takes the buffer and writes it outside the lock, so event loops keep appending meanwhile. */
    private void flush() {
        byte[] lines;
        int length;
        synchronized (this) {
            if (buffered == 0) {
                return;
            }
            lines = buffer;
            length = buffered;
            buffer = new byte[Math.max(FLUSH_AT * 2, length)];
            buffered = 0;
            notifyAll(); // event loops waiting for room
        }
        try {
            synchronized (out) {
                out.write(lines, 0, length);
                out.flush();
            }
        } catch (IOException e) {
            log.warn("the access log pipe is closed ({}): {} bytes of lines lost", e.toString(), length);
        }
    }

    private void append(CharSequence line) {
        int length = line.length();
        if (buffered + length > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, buffered + length));
        }
        for (int i = 0; i < length; i++) {
            buffer[buffered++] = (byte) line.charAt(i); // ASCII only, after quoted()
        }
    }

    private String time(long millis) {
        long second = millis / 1000;
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedTime = TIME.format(Instant.ofEpochSecond(second));
        }
        return cachedTime;
    }

    /** A header's or the request line's characters are its bytes (HTTP/1.1 heads are decoded as ISO-8859-1). */
    static void quoted(StringBuilder line, String value) {
        line.append('"');
        if (value == null) {
            line.append('-');
        } else {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
                    line.append("\\x").append(Character.forDigit((c >> 4) & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
                } else {
                    line.append(c);
                }
            }
        }
        line.append('"');
    }

    private void waitForWriter() {
        waitForWriter(0);
    }

    private void waitForWriter(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
