package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zygotehost.process.Accounts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code user:} and {@code group:}: a root master binds a privileged port and runs the app's zygote
 * and workers as that user; a master that is not root refuses such an app. Needs root (the tests
 * run as root here).
 */
class RunAsUserIT {

    private static final int NOBODY = 65534;
    private static final int NOGROUP = 65534;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @BeforeEach
    void asRoot() throws IOException {
        assumeTrue(Accounts.currentUid() == 0, "switching users needs root");
        // JUnit makes its folder 0700: the app's user must pass through it to reach its socket in run_dir.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void anAppRunsAsNobodyOnAPrivilegedPortItsMasterBoundAsRoot() throws Exception {
        int port = freePrivilegedPort();
        // A spare too: it warms up over loopback as nobody. A long timeout: the AOT training, as nobody, must finish.
        String apps = RunningHost.hello(RunningHost.HELLO_V1, port, """
                workers: 2
                spares: 1
                warmup: { path: /, requests: 20 }
                timeout: 120s
                user: nobody
                group: nogroup
                """);
        try (RunningHost host = RunningHost.start(dir, apps)) {
            RunningHost.await("2 workers ready and a spare built", Duration.ofSeconds(180), () -> host.log().contains(
                    "spare hello@v1 #3") && host.log().lines().filter(l -> l.contains(") ready in ")).count() >= 2);
            assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v1"), "it serves on port " + port);
            // Its workers, as nobody, write into the pipes the master made them: their lines and the access log arrive.
            RunningHost.await("the request in hello.access.log", Duration.ofSeconds(30), () -> RunningHost.read(
                    dir.resolve("logs/hello.access.log")).contains("\"GET / HTTP/1.1\" 200 "));
            assertTrue(appLog(host).contains("| INFO  worker - hello@v1 #1 serving"), appLog(host));

            List<ProcTree.Proc> processes = Stream.concat(host.zygotes("hello").stream(), host.workers("hello").stream()).toList();
            assertEquals(4, processes.size(), processes.toString());
            for (ProcTree.Proc process : processes) {
                String status = Files.readString(Path.of("/proc/" + process.pid() + "/status"));
                assertEquals("Uid:\t65534\t65534\t65534\t65534", line(status, "Uid:"), process.title());
                assertEquals("Gid:\t65534\t65534\t65534\t65534", line(status, "Gid:"), process.title());
                assertEquals("Groups:\t65534", line(status, "Groups:").strip(), "no group of root's is kept: " + process.title());
            }
            assertEquals("Uid:\t0\t0\t0\t0", line(Files.readString(Path.of("/proc/" + host.pid() + "/status")), "Uid:"),
                    "the master stays root");

            // Its own folder, socket and caches; run_dir lets it pass, not look.
            Path home = dir.resolve("run/users/nobody");
            assertEquals("rwx--x--x", permissions(dir.resolve("run")));
            assertOwnedByNobody(home, "rwx------");
            assertOwnedByNobody(home.resolve("ipc.sock"), "rw-------");
            assertOwnedByNobody(home.resolve("aot"), "rwx------");
            RunningHost.await("the AOT training, run as nobody, wrote its cache", Duration.ofSeconds(180),
                    () -> appLog(host).contains("hello@v1: AOT cache trained"));
            try (Stream<Path> caches = Files.list(home.resolve("aot"))) {
                List<Path> files = caches.filter(f -> f.toString().endsWith(".aot")).toList();
                assertEquals(1, files.size(), files.toString());
                assertEquals(NOBODY, Files.getAttribute(files.getFirst(), "unix:uid"));
            }
            assertFalse(appLog(host).contains("Permission denied"), appLog(host));
            assertEquals(0, host.stop());
        }
    }

    @Test
    void aMasterThatIsNotRootRefusesToRunAnAppAsAnotherUser() throws Exception {
        // The master runs as nobody (setpriv drops it), the app wants root: as gunicorn, it does not start at all.
        Files.setAttribute(dir, "unix:uid", NOBODY);
        Files.setAttribute(dir, "unix:gid", NOGROUP);
        Path config = RunningHost.writeConfig(dir, RunningHost.hello(RunningHost.HELLO_V1, RunningHost.freePort(), "user: root\n"));
        Path out = dir.resolve("host.out");
        ProcessBuilder builder = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOGROUP, "--clear-groups",
                RunningHost.ROOT.resolve("bin/zygote-host").toString(), config.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("ZYGOTE_HOST_NO_BUILD", "1");
        Process master = builder.start();
        if (!master.waitFor(120, TimeUnit.SECONDS)) {
            master.destroyForcibly();
            fail("the master did not refuse within 120s: " + RunningHost.read(out));
        }
        assertEquals(1, master.exitValue(), RunningHost.read(out));
        assertTrue(RunningHost.read(out).contains("zygote-host: app hello: running it as root (uid 0, gid 0) needs a master"
                + " that runs as root, and this one runs as uid 65534. Fix: start the host as root"), RunningHost.read(out));
        assertFalse(Files.exists(dir.resolve("run/zygote-host.pid")), "it did not take the run_dir");
    }

    private static String appLog(RunningHost host) {
        return RunningHost.read(host.dir.resolve("logs/hello.log"));
    }

    private static String line(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key)).findFirst().orElse("");
    }

    private static String permissions(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private static void assertOwnedByNobody(Path file, String permissions) throws IOException {
        assertEquals(List.of(NOBODY, NOGROUP, permissions), List.of(Files.getAttribute(file, "unix:uid"),
                Files.getAttribute(file, "unix:gid"), permissions(file)), file.toString());
    }

    /** A port below 1024 that nothing listens on: only root may bind it, so the master does, and the workers inherit it. */
    private static int freePrivilegedPort() throws IOException {
        for (int port = 1023; port > 600; port--) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new IOException("no free port between 601 and 1023");
    }
}
