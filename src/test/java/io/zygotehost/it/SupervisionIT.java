package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.it.ProcTree.Proc;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** What happens when processes of the tree die: each test starts its own host. */
class SupervisionIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private RunningHost startHello(int port, int workers) throws Exception {
        RunningHost host = RunningHost.start(dir, """
                hello:
                  path: %s
                  class: example.hello.HelloApp
                  listen: 127.0.0.1:%d
                  workers: %d
                  threads: 0
                """.formatted(RunningHost.HELLO_V1, port, workers));
        host.awaitWorkers("hello", workers);
        return host;
    }

    @Test
    void aKilledWorkerIsReplacedAndTheAppKeepsAnswering() throws Exception {
        // SIGKILL one of two workers: the other serves meanwhile, and a new worker takes its place.
        int port = RunningHost.freePort();
        try (RunningHost host = startHello(port, 2)) {
            List<Proc> before = host.workers("hello");
            Proc victim = before.getFirst();
            ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
            for (int i = 0; i < 20; i++) {
                assertEquals(200, RunningHost.get(port, "/").statusCode());
            }
            host.awaitWorkers("hello", 2);
            Set<Integer> after = ServingIT.pids(host.workers("hello"));
            assertFalse(after.contains(victim.pid()));
            assertTrue(after.contains(before.get(1).pid()), "the other worker was left alone");
            assertTrue(host.log().contains("(pid " + victim.pid() + ") exited after"), host.log());
            assertTrue(host.log().contains("killed by SIGKILL"), host.log());
        }
    }

    @Test
    void aKilledZygoteIsReplacedWhileItsWorkersKeepServing() throws Exception {
        // SIGKILL the zygote: its workers serve on, unchanged, and a new zygote for the version appears.
        int port = RunningHost.freePort();
        try (RunningHost host = startHello(port, 2)) {
            Set<Integer> workers = ServingIT.pids(host.workers("hello"));
            Proc zygote = host.zygotes("hello").getFirst();
            ProcessHandle.of(zygote.pid()).orElseThrow().destroyForcibly();
            for (int i = 0; i < 20; i++) {
                assertEquals(200, RunningHost.get(port, "/").statusCode());
            }
            RunningHost.await("a new zygote runs", Duration.ofSeconds(30), () -> {
                List<Proc> zygotes = host.zygotes("hello");
                return zygotes.size() == 1 && zygotes.getFirst().pid() != zygote.pid();
            });
            assertEquals(workers, ServingIT.pids(host.workers("hello")), "the same workers serve");
            // Orphaned by their zygote, the workers are now the master's children (it is their subreaper).
            assertTrue(host.workers("hello").stream().allMatch(w -> w.parent() == host.pid()));
        }
    }

    @Test
    void whenTheMasterIsKilledNothingOfTheTreeRemains() throws Exception {
        // SIGKILL the master: every zygote and worker notices its control connection close and exits.
        int port = RunningHost.freePort();
        try (RunningHost host = startHello(port, 2)) {
            List<Proc> tree = host.processes("zygote-host: ");
            assertEquals(4, tree.stream().filter(p -> !ProcTree.isAotTraining(p)).count(), "master, zygote, 2 workers: " + tree);
            host.process.toHandle().destroyForcibly();
            RunningHost.await("no process of the tree is left", Duration.ofSeconds(5),
                    () -> tree.stream().noneMatch(p -> ProcTree.alive(p.pid())));
        }
    }

    @Test
    void sigtermDrainsEverythingExitsZeroAndClosesThePort() throws Exception {
        // The graceful stop: exit status 0, no process left, the port closed.
        int port = RunningHost.freePort();
        try (RunningHost host = startHello(port, 2)) {
            List<Proc> tree = host.processes("zygote-host: ");
            assertEquals(0, host.stop());
            assertTrue(tree.stream().noneMatch(p -> ProcTree.alive(p.pid())), "left: " + tree);
            assertTrue(refused(port), "port " + port + " still accepts connections");
            assertFalse(Files.exists(dir.resolve("run/zygote-host.pid")));
            assertTrue(host.log().contains("stopped: every worker and zygote has exited"), host.log());
        }
    }

    @Test
    void aSecondHostOnTheSameRunDirIsRefused() throws Exception {
        // Two masters on one run_dir would fight over its sockets: the second one says who runs and exits 1.
        int port = RunningHost.freePort();
        try (RunningHost host = startHello(port, 1)) {
            Process second = RunningHost.launch(dir, "run", host.config.toString());
            assertEquals(1, second.waitFor());
            assertTrue(host.outputText().contains("another zygote-host (pid " + host.pid() + ") runs from"),
                    host.outputText());
            assertEquals(200, RunningHost.get(port, "/").statusCode());
        }
    }

    @Test
    void sigtermLetsInFlightRequestsFinishAndASecondSigtermStopsAtOnce() throws Exception {
        // First host: a 3 s request in flight at SIGTERM completes with 200 before the exit.
        // Second host: a 60 s request in flight; the second SIGTERM kills it instead of waiting.
        int port = RunningHost.freePort();
        String slowApp = """
                slow:
                  path: %s
                  class: example.slow.SlowApp
                  listen: 127.0.0.1:%d
                  workers: 1
                  threads: 4
                """.formatted(RunningHost.SLOW, port);
        try (RunningHost host = RunningHost.start(dir, slowApp)) {
            host.awaitWorkers("slow", 1);
            var inFlight = java.util.concurrent.CompletableFuture.supplyAsync(() -> send(port, "/?ms=3000"));
            Thread.sleep(1000); // the request has reached the worker's handler
            assertEquals(0, host.stop());
            assertEquals("200", inFlight.get());
        }
        Path second = Files.createDirectories(dir.resolve("second"));
        try (RunningHost host = RunningHost.start(second, slowApp)) {
            host.awaitWorkers("slow", 1);
            var inFlight = java.util.concurrent.CompletableFuture.supplyAsync(() -> send(port, "/?ms=60000"));
            Thread.sleep(1000);
            host.process.toHandle().destroy();
            host.awaitLog(Duration.ofSeconds(10), "stopping gracefully");
            host.process.toHandle().destroy();
            assertTrue(host.process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the second SIGTERM stops the host");
            assertTrue(inFlight.get().startsWith("failed"), "the 60 s request was cut, not waited for: " + inFlight.get());
            assertTrue(host.log().contains("stopping at once"), host.log());
        }
    }

    private static String send(int port, String path) {
        try {
            return Integer.toString(RunningHost.get(port, path).statusCode());
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    static boolean refused(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
