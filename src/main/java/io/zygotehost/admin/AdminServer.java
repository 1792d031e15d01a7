package io.zygotehost.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.zygotehost.config.ListenAddress;
import io.zygotehost.status.HostStatus;
import io.zygotehost.status.StatusJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code host.admin}: the status page ({@code /}), {@code /status.json} and {@code /metrics}, all three
 * drawn from the last {@link HostStatus} the master {@link #publish published}. A request reads that
 * snapshot and nothing else, so no scrape or page load ever waits on the master's thread, and a
 * flood of them cannot slow it down.
 *
 * <p>The JDK's own HTTP server, one virtual thread per request: the endpoint answers a person or a
 * scraper now and then, with a page of a few kilobytes, so it needs no event loop, codec pipeline or
 * limits of the kind the workers' Netty servers have, and a few dozen lines of it replace a Netty
 * pipeline that would share nothing with the workers' but the jars.
 *
 * <p>With {@code admin_token}, every request needs {@code Authorization: Bearer TOKEN}, or
 * {@code ?token=TOKEN} in the URL for a browser (the page's links and its refresh keep it); anything
 * else gets a 401. {@link #configure} and {@link #close} are the master thread's; requests run on
 * their own threads and read only the volatile fields.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("admin");
    private static final int BACKLOG = 16;
    private static final String ALLOWED = "GET, HEAD";

    private HttpServer server;
    private ExecutorService executor;
    private Optional<ListenAddress> address = Optional.empty();
    /** The token's bytes, or null when none is needed. */
    private volatile byte[] token;
    /** Null until the master's first publish. */
    private volatile HostStatus latest;

    /**
     * Serves on the address, with the token, or stops serving when there is none. A change of
     * address closes the old socket and opens the new one; a change of token applies to the next request.
     *
     * @throws IOException when the address cannot be bound; the endpoint then keeps its previous address if it had one
     */
    public void configure(Optional<ListenAddress> next, Optional<String> nextToken) throws IOException {
        token = nextToken.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (next.equals(address)) {
            return;
        }
        Optional<ListenAddress> previous = address;
        stop();
        if (next.isEmpty()) {
            return;
        }
        try {
            start(next.get());
        } catch (IOException e) {
            if (previous.isPresent()) {
                try {
                    start(previous.get());
                } catch (IOException again) {
                    log.error("cannot serve on {} again either: {}", previous.get(), again.getMessage());
                }
            }
            throw new IOException("cannot serve the admin endpoint on " + next.get() + ": " + e.getMessage(), e);
        }
    }

    private void start(ListenAddress on) throws IOException {
        HttpServer created = HttpServer.create(on.toSocketAddress(), BACKLOG);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        created.setExecutor(executor);
        created.createContext("/", this::handle);
        created.start();
        server = created;
        address = Optional.of(on);
        log.info("status page, /status.json and /metrics on http://{}/{}", on,
                token == null ? "" : " (admin_token required)");
    }

    private void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow(); // a client still reading gets cut off; it must not hold the master up
            log.info("stopped serving on {}", address.orElseThrow());
        }
        server = null;
        executor = null;
        address = Optional.empty();
    }

    public boolean isServing() {
        return server != null;
    }

    /** The snapshot every request from now on answers with. Built by the master's thread, immutable. */
    public void publish(HostStatus status) {
        latest = status;
    }

    @Override
    public void close() {
        stop();
    }

    // ---- requests, on their own threads ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", ALLOWED);
                sendText(exchange, 405, method + " is not served here: use " + ALLOWED + "\n");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (!List.of("/", "/status.json", "/metrics").contains(path)) {
                sendText(exchange, 404, "no such page: " + path + " (there are /, /status.json and /metrics)\n");
                return;
            }
            Optional<String> queryToken = queryToken(exchange);
            if (!authorized(exchange, queryToken)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"zygote-host\"");
                sendText(exchange, 401, "this endpoint needs the host's admin_token: send 'Authorization: Bearer TOKEN'"
                        + " (a browser may add ?token=TOKEN to the URL)\n");
                return;
            }
            HostStatus status = latest;
            if (status == null) {
                exchange.getResponseHeaders().set("Retry-After", "1");
                sendText(exchange, 503, "the master has not published its first status yet: try again in a second\n");
                return;
            }
            switch (path) {
                case "/status.json" -> send(exchange, 200, "application/json; charset=utf-8",
                        (StatusJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(status) + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                case "/metrics" -> metrics(exchange, status);
                default -> {
                    // The page may only load its own inline style: nothing in it can run, whatever a name or a failure says.
                    exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
                    send(exchange, 200, "text/html; charset=utf-8",
                            StatusPage.render(status, queryToken).getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away mid-answer, or a bug: the next request is served all the same. The path only:
            // the query may hold the token.
            log.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString());
        }
    }

    /** Prometheus's text format 0.0.4, or OpenMetrics for a scraper that asks for it (Prometheus 2.5+ does). */
    private static void metrics(HttpExchange exchange, HostStatus status) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
        ExpositionFormatWriter writer = openMetrics.accepts(accept) ? openMetrics : PrometheusTextFormatWriter.create();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writer.write(body, PrometheusMetrics.of(status));
        send(exchange, 200, writer.getContentType(), body.toByteArray());
    }

    private boolean authorized(HttpExchange exchange, Optional<String> queryToken) {
        byte[] expected = token;
        if (expected == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(expected, header.substring(7).strip().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        // MessageDigest.isEqual takes the same time wherever the bytes differ: the token cannot be guessed byte by byte.
        return queryToken.isPresent() && MessageDigest.isEqual(expected, queryToken.get().getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> queryToken(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("token=")) {
                return Optional.of(URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private static void sendText(HttpExchange exchange, int code, String text) throws IOException {
        send(exchange, code, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int code, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(code, -1);
            return;
        }
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
