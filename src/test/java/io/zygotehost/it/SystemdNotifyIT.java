package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.process.NotifyReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under systemd ({@code Type=notify}) the host says READY=1 once every app serves, RELOADING=1
 * (with the time) and READY=1 around a reload, and STOPPING=1 when it stops: here the test is
 * systemd, a unix datagram socket named by NOTIFY_SOCKET.
 */
class SystemdNotifyIT {

    private static final Duration LIMIT = Duration.ofSeconds(180);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void theHostTellsSystemdWhenItServesWhenAReloadStartsAndEndsAndWhenItStops() throws Exception {
        int port = RunningHost.freePort();
        Path socket = dir.resolve("notify.sock");
        try (NotifyReceiver systemd = new NotifyReceiver(socket.toString());
             RunningHost host = RunningHost.start(dir, RunningHost.hello(RunningHost.HELLO_V1, port, "workers: 2\n"),
                     Map.of("NOTIFY_SOCKET", socket.toString()))) {
            assertEquals("STATUS=starting 1 app", systemd.next(LIMIT));

            // READY=1 only once both workers are ready: at that moment the log has them both, and they serve.
            Map<String, String> ready = fields(systemd.next(LIMIT));
            assertEquals("1", ready.get("READY"), ready.toString());
            assertEquals("serving hello@v1 on 127.0.0.1:" + port + ": 2 workers", ready.get("STATUS"));
            assertEquals(2, host.log().lines().filter(line -> line.contains("worker hello@v1 #") && line.contains(") ready in ")).count(),
                    host.log());
            assertEquals("hello from v1", RunningHost.get(port, "/").body().strip().replaceAll(" \\(worker \\d+\\)", ""));

            // A deploy by SIGHUP: RELOADING=1 at once, stamped with CLOCK_MONOTONIC (the test's nanoTime is the same
            // clock), then READY=1 only when the deploy is over: v2 serves and no v1 worker is left.
            host.rewrite(RunningHost.hello(RunningHost.HELLO_V2, port, "workers: 2\n"));
            long before = System.nanoTime() / 1000;
            host.sighup();
            Map<String, String> reloading = fields(systemd.next(LIMIT));
            long after = System.nanoTime() / 1000;
            assertEquals("1", reloading.get("RELOADING"), reloading.toString());
            long stamp = Long.parseLong(reloading.get("MONOTONIC_USEC"));
            assertTrue(stamp >= before && stamp <= after, before + " <= " + stamp + " <= " + after);
            assertEquals("reloading " + host.config, reloading.get("STATUS"));

            Map<String, String> reloaded = fields(systemd.next(LIMIT));
            assertEquals("1", reloaded.get("READY"), reloaded.toString());
            assertTrue(reloaded.get("STATUS").startsWith("reloaded: hello: v1 -> v2 in "), reloaded.get("STATUS"));
            assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v2"));
            assertTrue(host.workers("hello").stream().allMatch(w -> w.title().startsWith("zygote-host: worker hello@v2")),
                    host.workers("hello").toString());

            assertEquals(0, host.stop());
            Map<String, String> stopping = fields(systemd.next(LIMIT));
            assertEquals("1", stopping.get("STOPPING"), stopping.toString());
            assertTrue(stopping.get("STATUS").startsWith("stopping: draining "), stopping.get("STATUS"));
            assertNull(systemd.next(Duration.ofSeconds(1)), "nothing after STOPPING=1");
        }
    }

    /** A datagram's KEY=VALUE lines, in order. */
    private static Map<String, String> fields(String message) {
        assertNotNull(message, "a message came in time");
        Map<String, String> fields = new LinkedHashMap<>();
        Arrays.stream(message.split("\n")).forEach(line -> fields.put(line.substring(0, line.indexOf('=')),
                line.substring(line.indexOf('=') + 1)));
        return fields;
    }
}
