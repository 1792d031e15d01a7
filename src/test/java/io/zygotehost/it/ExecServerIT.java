package io.zygotehost.it;

import static io.zygotehost.it.ExecProcesses.PACKAGE;
import static io.zygotehost.it.ExecProcesses.SAMPLES;
import static io.zygotehost.it.ExecProcesses.exec;
import static io.zygotehost.it.ExecProcesses.java;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exec server's life: started by the first run, gone after --max-idle, replaced when killed (its stale
 * socket removed, a live server's never), and its spares started from the class path's AOT cache once trained.
 */
class ExecServerIT {

    private static final Pattern TRAINED = Pattern.compile("AOT cache trained in \\d+ ms \\(\\d+ MB\\): (\\S+);");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private ExecProcesses processes;

    @BeforeEach
    void startFresh() {
        processes = new ExecProcesses(tmp);
    }

    @AfterEach
    void stopServers() {
        processes.close();
    }

    @Test
    void anIdleServer_exitsAfterMaxIdle_withItsSpares() {
        hello("--max-idle", "3s");
        ProcessHandle server = processes.server();
        Path socket = processes.serverFile(".sock");
        List<ProcessHandle> spares = server.children().toList();
        assertFalse(spares.isEmpty(), "the server keeps spares");
        RunningHost.await("the idle server gone", Duration.ofSeconds(60), () -> !server.isAlive());
        RunningHost.await("its spares gone", Duration.ofSeconds(30), () -> spares.stream().noneMatch(ProcessHandle::isAlive));
        assertFalse(Files.exists(socket), "an exiting server removes its socket");
        assertTrue(processes.serverLog().contains("exits: no run for 3s"), processes.serverLog());
    }

    @Test
    void aKilledServer_isReplacedOnNextUse_itsStaleSocketRemoved() {
        hello();
        ProcessHandle first = processes.server();
        List<ProcessHandle> spares = first.children().toList();
        first.destroyForcibly();
        RunningHost.await("the killed server gone", Duration.ofSeconds(30), () -> !first.isAlive());
        RunningHost.await("its spares gone with it (their death signal)", Duration.ofSeconds(30),
                () -> spares.stream().noneMatch(ProcessHandle::isAlive));
        assertTrue(Files.exists(processes.serverFile(".sock")), "SIGKILL leaves the socket behind");

        hello();
        ProcessHandle second = processes.server();
        assertNotEquals(first.pid(), second.pid());
        assertTrue(processes.serverLog().contains("removed the socket of a dead exec server"), processes.serverLog());
    }

    @Test
    void aSecondServer_leavesALiveServersSocketAlone() throws Exception {
        hello();
        ProcessHandle server = processes.server();
        String key = processes.serverFile(".sock").getFileName().toString().replace(".sock", "");
        ExecProcesses.Result second = processes.run(List.of(ExecProcesses.ROOT.resolve("bin/zygote-host").toString(),
                "exec-server", "--dir", processes.privateDir().toString(), "--key", key, "--classpath", SAMPLES));
        assertEquals(0, second.exitCode(), second.toString());
        assertTrue(second.out().contains("another exec server serves"), second.toString());
        hello();
        assertEquals(server.pid(), processes.server().pid(), "the first server still serves");
    }

    @Test
    void aTrainedAotCache_isWhatTheNextSparesStartFrom() throws Exception {
        Path lib = ExecProcesses.ROOT.resolve("target/lib");
        String classPath;
        try (Stream<Path> jars = Files.list(lib)) {
            classPath = Stream.concat(Stream.of(ExecProcesses.ROOT.resolve("target/exec-samples.jar")),
                            jars.filter(jar -> jar.getFileName().toString().startsWith("jackson-")).sorted())
                    .map(Path::toString).reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        }
        String[] json = {"-cp", classPath, PACKAGE + "JsonRoundTrip", "50"};
        ExecProcesses.Result training = processes.run(exec(trainArgs(json)));
        assertEquals(0, training.exitCode(), training.toString());
        assertEquals("", training.out(), "a training run's output goes to the log");
        assertTrue(training.err().contains("AOT cache trained in"), training.toString());
        assertTrue(processes.serverLog().contains("50 orders"), "the program ran: " + processes.serverLog());

        Matcher trained = TRAINED.matcher(processes.serverLog());
        assertTrue(trained.find(), processes.serverLog());
        Path cache = Path.of(trained.group(1));
        assertTrue(Files.size(cache) > 0, cache.toString());
        ProcessHandle server = processes.server();
        RunningHost.await("a spare started from the class path's cache " + cache, Duration.ofSeconds(120),
                () -> server.children().anyMatch(spare -> cacheOf(spare).equals(cache.toString())
                        && commandLine(spare).contains("-cp " + classPath)));

        ExecProcesses.Result direct = processes.run(java(json));
        ExecProcesses.Result viaExec = processes.run(exec(json));
        assertEquals(direct.toString(), viaExec.toString());
    }

    private static String[] trainArgs(String[] args) {
        String[] withTrain = new String[args.length + 1];
        withTrain[0] = "--train";
        System.arraycopy(args, 0, withTrain, 1, args.length);
        return withTrain;
    }

    private static String commandLine(ProcessHandle process) {
        return process.info().arguments().map(args -> String.join(" ", args)).orElse("");
    }

    private static String cacheOf(ProcessHandle spare) {
        for (String arg : spare.info().arguments().orElse(new String[0])) {
            if (arg.startsWith("-XX:AOTCache=")) {
                return arg.substring("-XX:AOTCache=".length());
            }
        }
        return "";
    }

    private void hello(String... options) {
        String[] args = Stream.concat(Stream.of(options), Stream.of("-cp", SAMPLES, PACKAGE + "Hello")).toArray(String[]::new);
        ExecProcesses.Result result = processes.run(exec(args), ExecProcesses.ROOT, Map.of(), new byte[0]);
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("hello, world\n", result.out(), result.toString());
    }
}
