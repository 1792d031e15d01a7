package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zygotehost.status.HostStatus;
import io.zygotehost.status.StatusJson;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/zygote-host status} and {@code status --json} tell the truth about the running host. */
class StatusIT {

    private static final int REQUESTS = 100;
    /** A worker's line in the text: id, pid, state, age, requests. */
    private static final Pattern WORKER_LINE = Pattern.compile("^  [ !] #(\\d+)\\s+(\\d+)\\s+(\\S+)\\s+\\S+\\s+(\\d+)\\s", Pattern.MULTILINE);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void statusAndItsJsonMatchTheProcessTreeAndCountTheRequestsSent() throws Exception {
        // Two apps, one with a spare: what status says matches /proc, and every request sent is counted.
        int helloPort = RunningHost.freePort();
        int slowPort = RunningHost.freePort();
        String apps = RunningHost.hello(RunningHost.HELLO_V1, helloPort, "workers: 2\nspares: 1\nthreads: 0\n") + """
                slow:
                  path: %s
                  class: example.slow.SlowApp
                  listen: 127.0.0.1:%d
                  workers: 1
                """.formatted(RunningHost.SLOW, slowPort);
        try (RunningHost host = RunningHost.start(dir, apps)) {
            // Two ready and a spare built for hello, one ready for slow, every process measured.
            HostStatus settled = awaitStatus(host, "hello: 2 ready and a spare, slow: 1 ready, all measured", status ->
                    states(app(status, "hello")).equals(Map.of("ready", 2L, "spare", 1L))
                            && states(app(status, "slow")).equals(Map.of("ready", 1L)) && allMeasured(status));
            assertEquals(host.pid(), settled.pid());
            assertEquals(host.config.toString(), settled.config());

            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(200, RunningHost.get(helloPort, "/").statusCode());
            }
            // Heartbeats carry the counts each second: a few of them, and every request is in the sum.
            HostStatus counted = awaitStatus(host, REQUESTS + " requests counted over hello's workers",
                    status -> requests(app(status, "hello")) >= REQUESTS);
            assertEquals(REQUESTS, requests(app(counted, "hello")), "each request counted once");
            assertEquals(0, requests(app(counted, "slow")));
            assertEquals(0, workers(app(counted, "hello")).filter(w -> w.state().equals("spare")).mapToLong(
                    HostStatus.Worker::requests).sum(), "a spare does not accept");

            for (String name : List.of("hello", "slow")) {
                HostStatus.App app = app(counted, name);
                assertEquals(ServingIT.pids(host.workers(name)), workers(app).map(HostStatus.Worker::pid).collect(Collectors.toSet()),
                        name + "'s workers, as /proc shows them");
                HostStatus.Generation current = app.generations().getFirst();
                assertEquals(List.of("current", "ready"), List.of(current.role(), current.phase()));
                assertEquals(ServingIT.pids(host.zygotes(name)), Set.of(current.zygote().pid()), name + "'s zygote");
                assertNull(app.problem());
            }
            HostStatus.App hello = app(counted, "hello");
            assertEquals(List.of(2, 1, 2, "v1"), List.of(hello.workers(), hello.spares(), hello.cap(),
                    hello.generations().getFirst().version()));
            assertEquals(1, workers(hello).filter(HostStatus.Worker::spare).count());

            // The text: one line per worker with its pid, state and requests, as the JSON says.
            RunningHost.Result text = host.command("status");
            assertEquals(0, text.exit(), text.output());
            assertTrue(text.output().startsWith("zygote-host (pid " + host.pid() + "), up "), text.output());
            assertTrue(text.output().contains("\nhello on 127.0.0.1:" + helloPort + ": 2 workers"), text.output());
            assertTrue(text.output().contains("\nslow on 127.0.0.1:" + slowPort + ": 1 worker,"), text.output());
            Matcher line = WORKER_LINE.matcher(text.output());
            int lines = 0;
            while (line.find()) {
                lines++;
                int pid = Integer.parseInt(line.group(2));
                HostStatus.Worker worker = counted.apps().stream().flatMap(StatusIT::workers)
                        .filter(w -> w.pid() == pid).findFirst().orElseThrow(() -> new AssertionError(pid + " in\n" + text.output()));
                assertEquals(List.of("#" + worker.id(), worker.state(), Long.toString(worker.requests())),
                        List.of("#" + line.group(1), line.group(3), line.group(4)), text.output());
            }
            assertEquals(4, lines, text.output());

            assertEquals(0, host.stop());
            RunningHost.Result none = host.command("status");
            assertEquals(1, none.exit(), none.output());
            assertTrue(none.output().contains("no host is running from"), none.output());
        }
    }

    /**
     * Runs {@code status --json} until its snapshot satisfies the condition (bounded), and returns that
     * snapshot. Until the master has written its pid file, status exits 1: that is "not yet".
     */
    private static HostStatus awaitStatus(RunningHost host, String what, Predicate<HostStatus> condition) {
        AtomicReference<RunningHost.Result> last = new AtomicReference<>();
        AtomicReference<HostStatus> status = new AtomicReference<>();
        try {
            RunningHost.await(what, Duration.ofSeconds(60), () -> {
                last.set(statusJson(host));
                status.set(last.get().exit() == 0 ? decode(last.get().output()) : null);
                return status.get() != null && condition.test(status.get());
            });
        } catch (AssertionError e) {
            fail(e.getMessage() + "; the last status --json:\n" + last.get(), e);
        }
        return status.get();
    }

    private static RunningHost.Result statusJson(RunningHost host) {
        try {
            return host.command("status", "--json");
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HostStatus decode(String json) {
        try {
            return StatusJson.mapper().readValue(json, HostStatus.class);
        } catch (IOException e) {
            throw new AssertionError("status --json printed what is not a status:\n" + json, e);
        }
    }

    private static HostStatus.App app(HostStatus status, String name) {
        return status.apps().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no app " + name + " in " + status));
    }

    private static Stream<HostStatus.Worker> workers(HostStatus.App app) {
        return app.generations().stream().flatMap(g -> g.workers().stream());
    }

    private static Map<String, Long> states(HostStatus.App app) {
        return workers(app).collect(Collectors.groupingBy(HostStatus.Worker::state, Collectors.counting()));
    }

    private static long requests(HostStatus.App app) {
        return workers(app).mapToLong(HostStatus.Worker::requests).sum();
    }

    private static boolean allMeasured(HostStatus status) {
        return status.apps().stream().flatMap(a -> a.generations().stream()).allMatch(g -> g.zygote() != null
                && g.zygote().memory() != null && g.workers().stream().allMatch(w -> w.pid() > 0 && w.memory() != null));
    }

}
