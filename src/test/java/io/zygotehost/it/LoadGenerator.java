package io.zygotehost.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator that counts every failure: refused and reset connections, timeouts, early EOF,
 * non-2xx statuses. Clients alternate keep-alive and {@code Connection: close}, GET and POST with a
 * body, so the host's every way of losing a request is exercised. Bounded: it stops when told,
 * and each request times out after 10 s. Loopback only.
 */
final class LoadGenerator implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final byte[] BODY = "x".repeat(2048).getBytes(StandardCharsets.US_ASCII);

    private final int port;
    private final String path;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> clients = new ArrayList<>();
    final LongAdder ok = new LongAdder();
    /** Failure kind -> count, e.g. "connect: Connection refused", "status 503". */
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    /** The last answer body seen: tells which version served. */
    volatile String lastBody = "";

    /** Each client waits this long between its requests; zero: as fast as the host answers. */
    private final long pauseNanos;

    private LoadGenerator(int port, String path, Duration pause) {
        this.port = port;
        this.path = path;
        this.pauseNanos = pause.toNanos();
    }

    /** Clients as fast as the host answers: they keep both cores busy. */
    static LoadGenerator start(int port, String path, int clients) {
        return paced(port, path, clients, Duration.ZERO);
    }

    /**
     * Clients that pause between requests: a steady load that leaves the cores room for the JVMs a
     * deploy starts, as a production host would have (a saturated one makes every start several times slower).
     */
    static LoadGenerator paced(int port, String path, int clients, Duration pause) {
        LoadGenerator load = new LoadGenerator(port, path, pause);
        for (int i = 0; i < clients; i++) {
            boolean keepAlive = i % 2 == 0;
            boolean post = i % 4 >= 2;
            Thread client = Thread.ofPlatform().name("load-" + i).daemon(true).start(() -> load.run(keepAlive, post));
            load.clients.add(client);
        }
        return load;
    }

    long failed() {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread client : clients) {
            client.join(TIMEOUT_MILLIS * 2L);
        }
    }

    @Override
    public String toString() {
        return "ok=" + ok.sum() + " failed=" + failed() + " " + failures;
    }

    private void run(boolean keepAlive, boolean post) {
        while (running.get()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                boolean open = true;
                while (open && running.get()) {
                    out.write(request(keepAlive, post));
                    out.flush();
                    Response response = Response.read(in);
                    if (response.status / 100 == 2) {
                        ok.increment();
                        lastBody = response.body;
                    } else {
                        fail("status " + response.status);
                    }
                    open = keepAlive && !response.close;
                    if (pauseNanos > 0) {
                        LockSupport.parkNanos(pauseNanos);
                    }
                }
            } catch (ConnectException e) {
                fail("connect: " + e.getMessage());
            } catch (SocketTimeoutException e) {
                fail("timeout");
            } catch (SocketException e) {
                fail("socket: " + e.getMessage());
            } catch (IOException e) {
                fail("io: " + e.getMessage());
            }
        }
    }

    private byte[] request(boolean keepAlive, boolean post) {
        String head = (post ? "POST " : "GET ") + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (keepAlive ? "" : "Connection: close\r\n")
                + (post ? "Content-Type: text/plain\r\nContent-Length: " + BODY.length + "\r\n" : "") + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        if (!post) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + BODY.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(BODY, 0, all, headBytes.length, BODY.length);
        return all;
    }

    private void fail(String kind) {
        failures.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Just enough HTTP/1.1 to read a response with a Content-Length. */
    private record Response(int status, boolean close, String body) {
        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            if (statusLine == null) {
                throw new IOException("EOF before the status line");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            boolean close = false;
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring(15).trim());
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                }
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("EOF in the body");
            }
            return new Response(status, close, new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1; b = in.read()) {
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
