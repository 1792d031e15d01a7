package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/zygote-host --daemon}: it returns once the host serves, or says why not; the host it leaves is a daemon. */
class DaemonIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** Every process of the daemons these tests started, for the cleanup of a test that failed half-way. */
    private final Set<Integer> seen = new HashSet<>();

    @Test
    void theDaemonReturnsOnceItServesRefusesASecondHostAndStopsWithEverythingItStarted() throws Exception {
        int port = RunningHost.freePort();
        Path config = RunningHost.writeConfig(dir, RunningHost.hello(RunningHost.HELLO_V1, port, "workers: 2\n"));

        RunningHost.Result started = run("--daemon", config.toString());
        assertEquals(0, started.exit(), started.output());
        assertTrue(started.output().contains("hello@v1 on 127.0.0.1:" + port + ": 2 workers"), started.output());
        // It said "serving" and returned: the workers serve now, without waiting.
        assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v1"));

        // The pid file names the master: alive, titled as one, the leader of a session of its own (no terminal).
        int pid = Integer.parseInt(Files.readString(dir.resolve("run/zygote-host.pid")).strip());
        remember(pid);
        assertTrue(ProcTree.alive(pid));
        assertTrue(title(pid).startsWith("zygote-host: master " + config), title(pid));
        assertEquals(pid, stat(pid, 6), "its own session");
        assertTrue(started.output().contains("zygote-host (pid " + pid + ") serving"), started.output());

        RunningHost.Result second = run("--daemon", config.toString());
        assertEquals(1, second.exit(), second.output());
        assertTrue(second.output().contains("another zygote-host (pid " + pid + ") runs from " + dir.resolve("run")
                + ": stop it first (bin/zygote-host stop " + config + ")"), second.output());
        assertTrue(ProcTree.alive(pid), "the first one runs on");

        RunningHost.Result status = run("status", config.toString());
        assertEquals(0, status.exit(), status.output());
        assertTrue(status.output().startsWith("zygote-host (pid " + pid + ")"), status.output());

        // What the daemon prints goes into its log, through the logger: the JVM's thread dump on SIGQUIT, say.
        new ProcessBuilder("kill", "-QUIT", Integer.toString(pid)).start().waitFor();
        RunningHost.await("the thread dump of SIGQUIT is in zygote-host.log", Duration.ofSeconds(30),
                () -> RunningHost.read(dir.resolve("logs/zygote-host.log")).contains("[console] Full thread dump"));

        List<Integer> tree = remember(pid);
        assertEquals(2, tree.stream().filter(p -> title(p).startsWith("zygote-host: worker hello@v1 #")).count(), tree.toString());
        assertEquals(1, tree.stream().filter(p -> title(p).startsWith("zygote-host: zygote hello@v1")).count(), tree.toString());
        RunningHost.Result stopped = run("stop", config.toString());
        assertEquals(0, stopped.exit(), stopped.output());
        assertTrue(stopped.output().contains("zygote-host (pid " + pid + ") stopped"), stopped.output());
        RunningHost.await("every process of the daemon is gone", Duration.ofSeconds(10),
                () -> tree.stream().noneMatch(ProcTree::alive));
        assertFalse(Files.exists(dir.resolve("run/zygote-host.pid")));
    }

    @Test
    void aDaemonWithAnAppThatCannotStartSaysWhyAndServesTheOthers() throws Exception {
        int port = RunningHost.freePort();
        Path config = RunningHost.writeConfig(dir, RunningHost.hello(RunningHost.HELLO_V1, port, "workers: 1\n") + """
                broken:
                  path: %s
                  class: example.hello.NoSuchApp
                  listen: 127.0.0.1:%d
                """.formatted(RunningHost.HELLO_V1, RunningHost.freePort()));

        RunningHost.Result started = run("--daemon", config.toString());
        int pid = Integer.parseInt(Files.readString(dir.resolve("run/zygote-host.pid")).strip());
        remember(pid);
        assertEquals(1, started.exit(), started.output());
        assertTrue(started.output().contains("zygote-host (pid " + pid + ") started, but not every app serves:"), started.output());
        assertTrue(started.output().contains("broken: version v1 cannot start: class example.hello.NoSuchApp not found"),
                started.output());
        assertTrue(started.output().contains("hello@v1 on 127.0.0.1:" + port + ": 1 worker"), started.output());
        assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v1"), "the other app serves");
        assertEquals(0, run("stop", config.toString()).exit());
    }

    @Test
    void aDaemonThatCannotStartAtAllSaysWhyAndLeavesNothing() throws Exception {
        // A run_dir so deep that its control socket's path does not fit a unix socket address: the master cannot start.
        Path deep = dir.resolve("d".repeat(100));
        Files.createDirectories(deep);
        Path config = RunningHost.writeConfig(deep, RunningHost.hello(RunningHost.HELLO_V1, RunningHost.freePort(), ""));
        RunningHost.Result started = run("--daemon", config.toString());
        assertEquals(1, started.exit(), started.output());
        assertTrue(started.output().startsWith("zygote-host: "), started.output());
        assertTrue(started.output().contains("ipc.sock"), started.output());
        // The master says why, then exits: the command may return while its JVM is still on its way out.
        RunningHost.await("no master left", Duration.ofSeconds(20), () -> ProcTree.titled("zygote-host: master " + config).isEmpty());
    }

    /** The process and its descendants, remembered for the cleanup. */
    private List<Integer> remember(int pid) {
        List<Integer> tree = new ArrayList<>(List.of(pid));
        List<ProcTree.Proc> all = ProcTree.all();
        for (int i = 0; i < tree.size(); i++) {
            int parent = tree.get(i);
            all.stream().filter(p -> p.parent() == parent).forEach(p -> tree.add(p.pid()));
        }
        seen.addAll(tree);
        return tree;
    }

    @AfterEach
    void killWhatIsLeft() {
        seen.forEach(this::remember);
        ProcTree.all().stream().filter(p -> seen.contains(p.pid()) && p.title().startsWith("zygote-host"))
                .forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
    }

    private RunningHost.Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "command", ".out");
        List<String> argv = new ArrayList<>(List.of(RunningHost.ROOT.resolve("bin/zygote-host").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("ZYGOTE_HOST_NO_BUILD", "1");
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("bin/zygote-host " + String.join(" ", args) + " did not end within 300s: " + Files.readString(out));
        }
        return new RunningHost.Result(process.exitValue(), Files.readString(out));
    }

    private static String title(int pid) {
        return ProcTree.all().stream().filter(p -> p.pid() == pid).map(ProcTree.Proc::title).findFirst().orElse("");
    }

    /** Field {@code field} of /proc/PID/stat as proc(5) numbers them: 4 is the parent, 6 the session. */
    private static int stat(int pid, int field) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[field - 3]);
    }
}
