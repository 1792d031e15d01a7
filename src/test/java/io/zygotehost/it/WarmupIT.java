package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.testapps.CountsCallsApp;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A new worker sends itself the app's warm-up requests before it serves, and they never count as its requests. */
class WarmupIT {

    private static final Pattern WARMED = Pattern.compile("counts@1\\.0 #(\\d+) warmed up: 50 requests to /warm in \\d+ ms");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aWorkerWarmsUpBeforeItsFirstRequestAndCountsOnlyRealOnes() throws Exception {
        // One worker, its handler on a pool of 4 threads, worn out after 10 requests. Its first client
        // learns that the handler already ran 50 times, all to /warm; it is recycled after 10 real
        // requests, not at once (as 50 counted warm-ups would have it), and its replacement warms up too.
        Path release = TestJars.release(dir, "1.0", CountsCallsApp.class);
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, """
                counts:
                  path: %s
                  class: io.zygotehost.testapps.CountsCallsApp
                  listen: 127.0.0.1:%d
                  workers: 1
                  max_workers: 2
                  threads: 4
                  max_requests: 10
                  warmup: { path: /warm, requests: 50 }
                """.formatted(release, port))) {
            host.awaitWorkers("counts", 1);
            int first = host.workers("counts").getFirst().pid();
            assertEquals("worker 1: 50 calls before this one, 50 to /warm\n", RunningHost.get(port, "/").body());
            for (int i = 2; i <= 10; i++) {
                HttpResponse<String> response = RunningHost.get(port, "/");
                assertEquals("worker 1: " + (49 + i) + " calls before this one, 50 to /warm\n", response.body());
            }
            host.awaitLog(Duration.ofSeconds(30),
                    "draining worker counts@1.0 #1 (pid " + first + "): recycled: served 10 requests (max_requests");
            host.awaitLog(Duration.ofSeconds(60), "(pid " + first + ") exited after");
            host.awaitWorkers("counts", 1);
            assertEquals("worker 2: 50 calls before this one, 50 to /warm\n", RunningHost.get(port, "/").body());

            String appLog = host.appLog("counts");
            Matcher warmed = WARMED.matcher(appLog);
            assertTrue(warmed.find() && warmed.group(1).equals("1") && warmed.find() && warmed.group(1).equals("2"), appLog);
            assertTrue(!appLog.contains("WARN") && !appLog.contains("ERROR"), appLog);
        }
    }
}
