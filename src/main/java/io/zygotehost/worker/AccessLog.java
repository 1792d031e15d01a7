package io.zygotehost.worker;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
    /** The formatted time of {@link #cachedSecond}. Guarded by this. */
    private long cachedSecond = Long.MIN_VALUE;
    private byte[] cachedTime;

    AccessLog(OutputStream out) {
        this.out = out;
        Thread writer = new Thread(this::writeLoop, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** A log whose lines go nowhere: a warm-up's, to run the code of the real one (see {@link WarmupStats}). */
    static AccessLog discarding() {
        return new AccessLog(OutputStream.nullOutputStream());
    }

    /** Opens the pipe the master reads (it waits for us there, so this does not block for long). */
    static AccessLog open(Path pipe) throws IOException {
        return new AccessLog(new FileOutputStream(pipe.toFile()));
    }

    /**
     * On an event loop. The line is written byte by byte straight into the buffer, under the lock: no string is
     * built, inserted into and copied for it. Measured with bin/bench: building the line first cost 10.5% of the
     * requests/s, this 6.1%.
     */
    @Override
    public void accept(Exchange exchange) {
        synchronized (this) {
            while (buffered > MAX_BUFFERED && !closed) {
                waitForWriter();
            }
            room(longest(exchange));
            ascii(exchange.client());
            ascii(" - - [");
            time(exchange.startMillis());
            ascii("] \"");
            if (exchange.method() == null) {
                buffer[buffered++] = '-';
            } else {
                escaped(exchange.method());
                buffer[buffered++] = ' ';
                escaped(exchange.uri());
                buffer[buffered++] = ' ';
                escaped(exchange.protocol());
            }
            ascii("\" ");
            number(exchange.status());
            buffer[buffered++] = ' ';
            number(exchange.bytes());
            buffer[buffered++] = ' ';
            quoted(exchange.referer());
            buffer[buffered++] = ' ';
            quoted(exchange.userAgent());
            buffer[buffered++] = ' ';
            number(exchange.durationNanos() / 1000);
            buffer[buffered++] = '\n';
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

    /** The most bytes the line can take: every quoted character escaped to four, numbers at their longest. */
    private static int longest(Exchange exchange) {
        return 128 + exchange.client().length() + 4 * (length(exchange.method()) + length(exchange.uri())
                + length(exchange.protocol()) + length(exchange.referer()) + length(exchange.userAgent()));
    }

    private static int length(String value) {
        return value == null ? 0 : value.length();
    }

    /** Makes room for {@code bytes} more. Guarded by this. */
    private void room(int bytes) {
        if (buffered + bytes > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, buffered + bytes));
        }
    }

    /** Characters known to be printable ASCII: ours, and the peer's address. */
    private void ascii(String value) {
        for (int i = 0; i < value.length(); i++) {
            buffer[buffered++] = (byte) value.charAt(i);
        }
    }

    private void number(long value) {
        if (value < 0) {
            buffer[buffered++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        for (int i = buffered + digits - 1; i >= buffered; i--) {
            buffer[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        buffered += digits;
    }

    /** The log line's time, formatted once a second: requests of one second share it. */
    private void time(long millis) {
        long second = Math.floorDiv(millis, 1000);
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedTime = TIME.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.US_ASCII);
        }
        System.arraycopy(cachedTime, 0, buffer, buffered, cachedTime.length);
        buffered += cachedTime.length;
    }

    /** A value in quotes, "-" for none. */
    private void quoted(String value) {
        buffer[buffered++] = '"';
        if (value == null) {
            buffer[buffered++] = '-';
        } else {
            escaped(value);
        }
        buffer[buffered++] = '"';
    }

    /**
     * A header's or the request line's characters are its bytes (HTTP/1.1 heads are decoded as ISO-8859-1):
     * a quote, a backslash, a control or non-ASCII byte becomes \xHH, as nginx writes it, so a line is one line.
     */
    private void escaped(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
                buffer[buffered++] = '\\';
                buffer[buffered++] = 'x';
                buffer[buffered++] = (byte) Character.forDigit((c >> 4) & 0xf, 16);
                buffer[buffered++] = (byte) Character.forDigit(c & 0xf, 16);
            } else {
                buffer[buffered++] = (byte) c;
            }
        }
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
