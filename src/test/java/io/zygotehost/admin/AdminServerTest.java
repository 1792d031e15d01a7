package io.zygotehost.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.config.ListenAddress;
import io.zygotehost.status.HostStatus;
import io.zygotehost.status.StatusJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin endpoint on a loopback port, asked over real HTTP. */
class AdminServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final AdminServer server = new AdminServer();
    private final HostStatus status = StatusFixture.status();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void withATokenOnlyItsBearerGetsIn() throws Exception {
        int port = serve(Optional.of("t0k&n"));
        server.publish(status);
        for (String path : new String[] {"/", "/status.json", "/metrics"}) {
            assertEquals(401, get(port, path, null).statusCode(), path);
            assertEquals(401, get(port, path, "Bearer t0k&nX").statusCode(), path);
            assertEquals(401, get(port, path, "Basic t0k&n").statusCode(), path);
            assertEquals(200, get(port, path, "Bearer t0k&n").statusCode(), path);
            assertEquals(200, get(port, path, "bearer t0k&n").statusCode(), "the scheme is case-insensitive");
            assertEquals(200, get(port, path + "?token=t0k%26n", null).statusCode(), "a browser's ?token=");
        }
        HttpResponse<String> refused = get(port, "/metrics", null);
        assertEquals("Bearer realm=\"zygote-host\"", refused.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertTrue(refused.body().contains("Authorization: Bearer TOKEN"), refused.body());

        server.configure(Optional.of(new ListenAddress("127.0.0.1", port)), Optional.of("new"));
        assertEquals(401, get(port, "/metrics", "Bearer t0k&n").statusCode(), "a reloaded token applies at once");
        assertEquals(200, get(port, "/metrics", "Bearer new").statusCode());
    }

    @Test
    void eachPathAnswersWithItsFormatFromThePublishedSnapshot() throws Exception {
        int port = serve(Optional.empty());
        HttpResponse<String> early = get(port, "/metrics", null);
        assertEquals(503, early.statusCode(), "nothing published yet");
        assertEquals("1", early.headers().firstValue("Retry-After").orElseThrow());
        server.publish(status);

        HttpResponse<String> json = get(port, "/status.json", null);
        assertEquals("application/json; charset=utf-8", json.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(status, StatusJson.mapper().readValue(json.body(), HostStatus.class), "the status command's codec");

        HttpResponse<String> metrics = get(port, "/metrics", null);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(metrics.body().contains("zygote_host_requests_total{app=\"hello\",status=\"2xx\",version=\"v1\"} 114.0\n"));
        HttpResponse<String> openMetrics = HTTP.send(request(port, "/metrics", null)
                .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5").build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(openMetrics.headers().firstValue("Content-Type").orElseThrow().startsWith("application/openmetrics-text"));
        assertTrue(openMetrics.body().endsWith("# EOF\n"));

        HttpResponse<String> page = get(port, "/", null);
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().startsWith("default-src 'none'"));
        assertEquals(StatusPage.render(status, Optional.empty()), page.body());
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());

        HttpResponse<String> head = HTTP.send(request(port, "/", null).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        HttpResponse<String> post = HTTP.send(request(port, "/metrics", null).POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertEquals(404, get(port, "/metrics/", null).statusCode());
    }

    @Test
    void aReloadMovesItOrTurnsItOff() throws Exception {
        int first = serve(Optional.empty());
        server.publish(status);
        int second = freePort();
        server.configure(Optional.of(new ListenAddress("127.0.0.1", second)), Optional.empty());
        assertEquals(200, get(second, "/metrics", null).statusCode());
        assertThrows(ConnectException.class, () -> get(first, "/metrics", null), "the old port is closed");

        try (ServerSocket taken = new ServerSocket(0)) {
            IOException refused = assertThrows(IOException.class, () -> server.configure(
                    Optional.of(new ListenAddress("127.0.0.1", taken.getLocalPort())), Optional.empty()));
            assertTrue(refused.getMessage().startsWith("cannot serve the admin endpoint on 127.0.0.1:" + taken.getLocalPort()),
                    refused.getMessage());
        }
        assertEquals(200, get(second, "/metrics", null).statusCode(), "a failed move keeps the endpoint where it was");

        server.configure(Optional.empty(), Optional.empty());
        assertFalse(server.isServing());
        assertThrows(ConnectException.class, () -> get(second, "/metrics", null));
    }

    private int serve(Optional<String> token) throws IOException {
        int port = freePort();
        server.configure(Optional.of(new ListenAddress("127.0.0.1", port)), token);
        assertTrue(server.isServing());
        return port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static HttpRequest.Builder request(int port, String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    private static HttpResponse<String> get(int port, String path, String authorization) throws IOException, InterruptedException {
        return HTTP.send(request(port, path, authorization).build(), HttpResponse.BodyHandlers.ofString());
    }
}
