package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zygotehost.status.HostStatus;
import io.zygotehost.status.StatusJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint of a real host, over real HTTP: /metrics counts what was sent, /status.json tells the truth. */
class AdminIT {

    /** With characters a URL must encode: the ?token= of a browser has to survive them. */
    static final String TOKEN = "s3cret token/+=";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int OK_HELLO = 60;
    private static final int TOO_LARGE = 5;
    private static final int BAD_MS = 4;
    private static final int SLEEPS = 3;
    private static final int SLEEP_MS = 150;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void metricsCountEveryResponseSentThroughRecyclingAndStatusJsonListsTheRealProcesses() throws Exception {
        // hello's workers retire after 25 requests each, so some of the requests are answered by workers that
        // have exited by the time of the scrape: their counts must still be there, exactly once.
        int adminPort = RunningHost.freePort();
        int helloPort = RunningHost.freePort();
        int slowPort = RunningHost.freePort();
        String apps = RunningHost.hello(RunningHost.HELLO_V1, helloPort, "workers: 2\nthreads: 0\nmax_requests: 25\nmax_body: 4k\n")
                + RunningHost.slow(slowPort, "workers: 1\nthreads: 4\n");
        try (RunningHost host = RunningHost.start(dir, admin(adminPort), apps)) {
            host.awaitWorkers("hello", 2);
            host.awaitWorkers("slow", 1);

            // Without the token, or with another: 401; with it, in the header or (for a browser) the URL: 200.
            for (String path : new String[] {"/", "/status.json", "/metrics"}) {
                HttpResponse<String> refused = get(adminPort, path, null);
                assertEquals(401, refused.statusCode(), path + ": " + refused.body());
                assertEquals("Bearer realm=\"zygote-host\"", refused.headers().firstValue("WWW-Authenticate").orElse(null));
                assertEquals(401, get(adminPort, path, "not" + TOKEN).statusCode(), path);
            }
            awaitAnswer(adminPort);
            assertEquals(200, get(adminPort, "/metrics", TOKEN).statusCode());
            HttpResponse<String> page = get(adminPort, "/?token=" + URLEncoder.encode(TOKEN, StandardCharsets.UTF_8), null);
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
            assertEquals(404, get(adminPort, "/nothing", TOKEN).statusCode());

            for (int i = 0; i < OK_HELLO; i++) {
                assertEquals(200, RunningHost.get(helloPort, "/").statusCode());
            }
            for (int i = 0; i < TOO_LARGE; i++) {
                String answer = ServingIT.rawRequest(helloPort,
                        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nExpect: 100-continue\r\n\r\n");
                assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            }
            for (int i = 0; i < BAD_MS; i++) {
                assertEquals(400, RunningHost.get(slowPort, "/?ms=soon").statusCode());
            }
            for (int i = 0; i < SLEEPS; i++) {
                assertEquals(200, RunningHost.get(slowPort, "/?ms=" + SLEEP_MS).statusCode());
            }

            // Heartbeats bring the counts within a second or so. The worker that reached max_requests drains and
            // exits once its keep-alive connection has idled out: from then on its requests are counted only
            // in its version's total, and the counts must still match exactly.
            long helloSent = OK_HELLO + TOO_LARGE;
            long slowSent = BAD_MS + SLEEPS;
            AtomicReference<String> lastPage = new AtomicReference<>("");
            try {
                RunningHost.await("/metrics counts " + helloSent + " hello and " + slowSent
                        + " slow responses after a hello worker retired (max_requests) and exited", Duration.ofSeconds(60), () -> {
                            lastPage.set(metricsPage(adminPort));
                            ScrapedMetrics m = parse(lastPage.get(), "text");
                            return m.value("zygote_host_exits_total", "app", "hello", "process", "worker", "cause", "stopped") >= 1
                                    && m.sum("zygote_host_requests_total", "app", "hello") == helloSent
                                    && m.sum("zygote_host_requests_total", "app", "slow") == slowSent;
                        });
            } catch (AssertionError e) {
                fail(e.getMessage() + "; the last /metrics:\n" + lastPage.get(), e);
            }
            ScrapedMetrics metrics = parse(lastPage.get(), "text");
            assertEquals(Map.of("1xx", 0.0, "2xx", (double) OK_HELLO, "3xx", 0.0, "4xx", (double) TOO_LARGE, "5xx", 0.0),
                    byStatus(metrics, "hello"), lastPage.get());
            assertEquals(Map.of("1xx", 0.0, "2xx", (double) SLEEPS, "3xx", 0.0, "4xx", (double) BAD_MS, "5xx", 0.0),
                    byStatus(metrics, "slow"), lastPage.get());
            assertEquals(helloSent, metrics.value("zygote_host_request_duration_seconds_count", "app", "hello", "version", "v1"));
            assertEquals(slowSent, metrics.value("zygote_host_request_duration_seconds_count", "app", "slow", "version", "1.0"));
            assertEquals(slowSent, metrics.value("zygote_host_request_duration_seconds_bucket",
                    "app", "slow", "version", "1.0", "le", "+Inf"));
            assertTrue(metrics.value("zygote_host_request_duration_seconds_bucket", "app", "slow", "version", "1.0", "le", "0.1")
                    <= BAD_MS, "the " + SLEEPS + " requests that slept " + SLEEP_MS + " ms are over 0.1 s:\n" + lastPage.get());
            assertTrue(metrics.value("zygote_host_request_duration_seconds_sum", "app", "slow", "version", "1.0")
                    >= SLEEPS * SLEEP_MS / 1000.0, lastPage.get());
            assertTrue(metrics.value("zygote_host_spawns_total", "app", "hello", "process", "worker") >= 3, lastPage.get());
            assertEquals(1, metrics.value("zygote_host_spawns_total", "app", "slow", "process", "zygote"));

            // The same page in OpenMetrics, as Prometheus asks for it, passes the client's strict parser.
            HttpResponse<String> openMetrics = HTTP.send(request(adminPort, "/metrics", TOKEN)
                    .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    openMetrics.headers().toString());
            assertEquals(helloSent, parse(openMetrics.body(), "openmetrics").sum("zygote_host_requests_total", "app", "hello"));

            // /status.json, once the recycling is over: every worker process /proc shows, with its pid, and no other.
            AtomicReference<HostStatus> settled = new AtomicReference<>();
            RunningHost.await("/status.json lists the workers /proc shows", Duration.ofSeconds(60), () -> {
                settled.set(statusJson(adminPort));
                return settled.get().apps().stream().allMatch(app -> workerPids(app).equals(ServingIT.pids(host.workers(app.name())))
                        && app.generations().stream().allMatch(g -> g.workers().stream().allMatch(w -> w.state().equals("ready"))));
            });
            for (HostStatus.App app : settled.get().apps()) {
                assertEquals(ServingIT.pids(host.workers(app.name())), workerPids(app), app.name());
                assertEquals(ServingIT.pids(host.zygotes(app.name())), Set.of(app.generations().getFirst().zygote().pid()));
            }
            assertEquals(host.pid(), settled.get().pid());
            HostStatus.App hello = settled.get().apps().getFirst();
            assertEquals((long) OK_HELLO, hello.traffic().get("v1").responses(2), "status.json counts what /metrics does");
            assertTrue(host.log().contains("[admin] status page, /status.json and /metrics on http://127.0.0.1:" + adminPort),
                    host.log());
        }
    }

    /** The {@code host:} lines of an admin endpoint on the port, with {@link #TOKEN}. */
    static String admin(int port) {
        return "admin: 127.0.0.1:" + port + "\nadmin_token: \"" + TOKEN + "\"\n";
    }

    /** Waits until the master has published its first snapshot (503 before). */
    static void awaitAnswer(int adminPort) {
        RunningHost.await("the admin endpoint answers", Duration.ofSeconds(30), () -> {
            try {
                return get(adminPort, "/status.json", TOKEN).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    static HostStatus statusJson(int adminPort) {
        try {
            HttpResponse<String> answer = get(adminPort, "/status.json", TOKEN);
            assertEquals(200, answer.statusCode(), answer.body());
            return StatusJson.mapper().readValue(answer.body(), HostStatus.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Set<Integer> workerPids(HostStatus.App app) {
        return app.generations().stream().flatMap(g -> g.workers().stream()).map(HostStatus.Worker::pid).collect(Collectors.toSet());
    }

    /** Waits until the status satisfies the condition, and returns that status. */
    static HostStatus awaitStatus(int adminPort, String what, Predicate<HostStatus> condition) {
        AtomicReference<HostStatus> status = new AtomicReference<>();
        try {
            RunningHost.await(what, Duration.ofSeconds(60), () -> {
                status.set(statusJson(adminPort));
                return condition.test(status.get());
            });
        } catch (AssertionError e) {
            fail(e.getMessage() + "; the last /status.json: " + status.get(), e);
        }
        return status.get();
    }

    private static Map<String, Double> byStatus(ScrapedMetrics metrics, String app) {
        return metrics.samples().stream().filter(s -> s.name().equals("zygote_host_requests_total")
                        && s.labels().get("app").equals(app))
                .collect(Collectors.toMap(s -> s.labels().get("status"), ScrapedMetrics.Sample::number, Double::sum));
    }

    private static String metricsPage(int adminPort) {
        try {
            HttpResponse<String> answer = get(adminPort, "/metrics", TOKEN);
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", answer.headers().firstValue("Content-Type").orElse(null));
            return answer.body();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static ScrapedMetrics parse(String page, String format) {
        try {
            return ScrapedMetrics.parse(page, format);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HttpRequest.Builder request(int port, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    /** GET with {@code Authorization: Bearer token}, or without when token is null. */
    static HttpResponse<String> get(int port, String path, String token) throws IOException, InterruptedException {
        return HTTP.send(request(port, path, token).build(), HttpResponse.BodyHandlers.ofString());
    }
}
