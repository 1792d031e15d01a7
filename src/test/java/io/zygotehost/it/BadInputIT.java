package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.testapps.FailingPreloadApp;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear error naming what is wrong, and loses nothing else. */
class BadInputIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void brokenAppsAreReportedByNameAndTheGoodAppIsServed() throws Exception {
        // One host, four apps: a taken port, a missing jar, a missing class, a preload that throws; the fifth serves.
        Path failing = TestJars.release(dir, "failing-1.0", FailingPreloadApp.class);
        int goodPort = RunningHost.freePort();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                RunningHost host = RunningHost.start(dir, """
                        good:
                          path: %s
                          class: example.hello.HelloApp
                          listen: 127.0.0.1:%d
                          workers: 1
                        taken:
                          path: %s
                          class: example.hello.HelloApp
                          listen: 127.0.0.1:%d
                        nojar:
                          path: %s
                          class: example.hello.HelloApp
                          listen: 127.0.0.1:%d
                        noclass:
                          path: %s
                          class: example.hello.NoSuchApp
                          listen: 127.0.0.1:%d
                        throws:
                          path: %s
                          class: io.zygotehost.testapps.FailingPreloadApp
                          listen: 127.0.0.1:%d
                        """.formatted(RunningHost.HELLO_V1, goodPort, RunningHost.HELLO_V1, taken.getLocalPort(),
                        dir.resolve("missing"), RunningHost.freePort(), RunningHost.HELLO_V1, RunningHost.freePort(),
                        failing, RunningHost.freePort()))) {
            host.awaitWorkers("good", 1);
            host.awaitLog(Duration.ofSeconds(60), "app noclass: version v1 cannot start",
                    "app throws: version failing-1.0 cannot start");
            String log = host.log();
            assertTrue(log.contains("app taken: cannot listen on 127.0.0.1:" + taken.getLocalPort()), log);
            assertTrue(log.contains("app nojar: path " + dir.resolve("missing") + " does not exist"), log);
            assertTrue(log.contains("class example.hello.NoSuchApp not found in the app's jars"), log);
            assertTrue(log.contains("database unreachable at db.example:5432"), log);
            assertEquals(200, RunningHost.get(goodPort, "/").statusCode());
            assertTrue(host.workers("noclass").isEmpty() && host.workers("throws").isEmpty());
            assertTrue(host.appLog("throws").contains("IllegalStateException: database unreachable"), "the stack trace is in the app's log");
        }
    }

    @Test
    void checkNamesFileLineAndColumnOfABadConfig() throws Exception {
        // bin/zygote-host check: exit 1 and the problem at its place in the file, with the fix.
        Path config = RunningHost.writeConfig(dir, """
                hello:
                  path: %s
                  class: example.hello.HelloApp
                  listen: 127.0.0.1:8080
                  worker: 4
                """.formatted(RunningHost.HELLO_V1));
        Process check = RunningHost.launch(dir, "check", config.toString());
        assertEquals(1, check.waitFor());
        String output = Files.readString(dir.resolve("host.out"));
        assertTrue(output.contains(config + ":10:5: apps.hello.worker"), output);
        assertTrue(output.contains("did you mean 'workers'?"), output);
    }

    @Test
    void runRefusesABadConfigWithTheSameMessage() throws Exception {
        // The host does not start on a config it cannot read whole.
        Path config = RunningHost.writeConfig(dir, """
                hello:
                  path: %s
                  class: example.hello.HelloApp
                  listen: 127.0.0.1:8080
                  max_age: 30
                """.formatted(RunningHost.HELLO_V1));
        Process run = RunningHost.launch(dir, "run", config.toString());
        assertEquals(1, run.waitFor());
        String output = Files.readString(dir.resolve("host.out"));
        assertTrue(output.contains(config + ":10:14: apps.hello.max_age"), output);
        assertTrue(output.contains("30s"), output);
    }

    @Test
    void checkAcceptsTheShippedExampleConfig() throws Exception {
        // The README's config is valid, and its jars and classes are where it says.
        Process check = RunningHost.launch(dir, "check", RunningHost.ROOT.resolve("conf/apps.yml").toString());
        assertEquals(0, check.waitFor(), Files.readString(dir.resolve("host.out")));
        assertTrue(Files.readString(dir.resolve("host.out")).contains("ok, 2 apps: hello, slow"));
    }
}
