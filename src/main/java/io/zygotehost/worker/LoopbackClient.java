package io.zygotehost.worker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal HTTP/1.1 client for a server on loopback, over TLS or not: GETs on one keep-alive
 * connection, bodies read by {@code Content-Length} or chunks. Plain sockets rather than {@code java.net.http}: the
 * AOT training should load the server's classes, not a client's. Used by the training run, a
 * spare's warm-up, and {@code bin/bench spawn}.
 */
public final class LoopbackClient implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;

    /** One answer: its body is kept, as text, for whoever wants to know which worker answered. */
    public record Answer(int status, boolean close, String body) {}

    private LoopbackClient(Socket socket, int port) throws IOException {
        this.socket = socket;
        this.port = port;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:port. */
    public static LoopbackClient connect(int port) throws IOException {
        return connect(port, null);
    }

    /** @param tls speaks TLS through this (the handshake done before it returns); null: plain HTTP */
    public static LoopbackClient connect(int port, SSLSocketFactory tls) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            if (tls == null) {
                return new LoopbackClient(socket, port);
            }
            SSLSocket secure = (SSLSocket) tls.createSocket(socket, "127.0.0.1", port, true);
            secure.startHandshake();
            return new LoopbackClient(secure, port);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends {@code count} GETs of {@code path}, on a new connection after a {@code Connection: close}; counts the statuses.
     *
     * @param tls null: plain HTTP
     */
    static Map<Integer, Integer> get(int port, SSLSocketFactory tls, String path, int count) throws IOException {
        Map<Integer, Integer> statuses = new TreeMap<>();
        LoopbackClient client = null;
        try {
            for (int i = 0; i < count; i++) {
                if (client == null) {
                    client = connect(port, tls);
                }
                Answer answer = client.get(path, false);
                statuses.merge(answer.status(), 1, Integer::sum);
                if (answer.close()) {
                    client.close();
                    client = null;
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
        return statuses;
    }

    /** One GET on this connection, its body kept; the caller opens another after an answer that closes it. */
    public Answer get(String path) throws IOException {
        return get(path, true);
    }

    /** @param keepBody false: the body is read past and dropped, as a warm-up wants (its answer's body is "") */
    private Answer get(String path, boolean keepBody) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: \"" + statusLine + "\"");
        }
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, Math.max(colon, 0)).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close");
                default -> { }
            }
        }
        OutputStream body = keepBody ? new ByteArrayOutputStream() : OutputStream.nullOutputStream();
        if (chunked) {
            for (long size = chunkSize(); size > 0; size = chunkSize()) {
                copy(size, body);
                line();
            }
            for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                // trailers are dropped
            }
        } else if (length >= 0) {
            copy(length, body);
        } else {
            in.transferTo(body); // no length: the body ends with the connection
            close = true;
        }
        String text = body instanceof ByteArrayOutputStream kept ? kept.toString(StandardCharsets.UTF_8) : "";
        return new Answer(Integer.parseInt(parts[1]), close, text);
    }

    /** Exactly {@code bytes} of the body into {@code to}; a body cut short throws. */
    private void copy(long bytes, OutputStream to) throws IOException {
        byte[] buffer = new byte[8192];
        for (long left = bytes; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the connection closed in the middle of a body");
            }
            to.write(buffer, 0, n);
            left -= n;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed in the middle of a response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private long chunkSize() throws IOException {
        return Long.parseLong(line().split(";")[0].trim(), 16);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
