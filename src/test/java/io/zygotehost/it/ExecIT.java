package io.zygotehost.it;

import static io.zygotehost.it.ExecProcesses.PACKAGE;
import static io.zygotehost.it.ExecProcesses.SAMPLES;
import static io.zygotehost.it.ExecProcesses.exec;
import static io.zygotehost.it.ExecProcesses.java;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/zygote-host exec} runs a class as {@code java -cp} would: the same bytes on stdout and stderr,
 * the same exit code, the same environment, directory and system properties, with pipes and with files,
 * for large outputs and concurrent runs; signals reach the program. Every run is compared with a direct
 * {@code java} run of the same sample program (src/test/java/io/zygotehost/exec/samples).
 */
class ExecIT {

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
    void samplePrograms_behaveAsUnderJava() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work dir"));
        Files.writeString(work.resolve("marker.txt"), "read relative to the working directory\n");
        byte[] input = "line one\nline two\nno newline at the end".getBytes(StandardCharsets.UTF_8);
        record Case(String main, List<String> args, byte[] stdin, Path directory, Map<String, String> env) {}
        List<Case> cases = List.of(
                new Case("Hello", List.of(), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("Exit", List.of("3"), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("Throws", List.of(), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("NoMain", List.of(), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("NoSuchClass", List.of(), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("InstanceMain", List.of(), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("LastThread", List.of(), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("ShutdownHook", List.of(), new byte[0], ExecProcesses.ROOT, Map.of()),
                new Case("Cat", List.of(), input, ExecProcesses.ROOT, Map.of()),
                new Case("Describe", List.of("a b", "", "ünïcödé"), new byte[0], work,
                        Map.of("EXEC_IT_ONLY", "set for this run", "TZ", "Asia/Tokyo")));
        for (Case c : cases) {
            List<String> args = new ArrayList<>(List.of("-cp", SAMPLES, PACKAGE + c.main()));
            args.addAll(c.args());
            String[] argv = args.toArray(String[]::new);
            ExecProcesses.Result direct = processes.run(java(argv), c.directory(), c.env(), c.stdin());
            ExecProcesses.Result viaExec = processes.run(exec(argv), c.directory(), c.env(), c.stdin());
            String what = c.main() + " " + c.args() + "\ndirect: " + direct + "\nexec: " + viaExec;
            assertEquals(direct.exitCode(), viaExec.exitCode(), what);
            assertEquals(direct.out(), viaExec.out(), what);
            assertEquals(direct.err(), viaExec.err(), what);
        }
    }

    @Test
    void aRunThatFindsNoSpareReady_runsColdAsJavaWould() throws IOException {
        // A new server starts its spares with its first run, which therefore finds none ready: the client
        // becomes java itself rather than wait for one.
        Path work = Files.createDirectories(tmp.resolve("cold work dir"));
        String[] argv = {"-cp", SAMPLES, PACKAGE + "Describe", "a b", "ünïcödé"};
        Map<String, String> env = Map.of("EXEC_IT_ONLY", "set for a cold run", "TZ", "Asia/Tokyo");
        ExecProcesses.Result direct = processes.run(java(argv), work, env, new byte[0]);
        ExecProcesses.Result cold = processes.run(ExecProcesses.execOrCold(argv), work, env, new byte[0]);
        String what = "direct: " + direct + "\ncold: " + cold;
        assertEquals(direct.exitCode(), cold.exitCode(), what);
        assertEquals(direct.out(), cold.out(), what);
        assertEquals(direct.err(), cold.err(), what);
        assertTrue(processes.serverLog().contains("run cold, as java would (no spare ready yet): " + PACKAGE + "Describe"),
                processes.serverLog());

        // Cold or in a spare, whichever comes: the exit code is java's.
        ExecProcesses.Result exit = processes.run(ExecProcesses.execOrCold("-cp", SAMPLES, PACKAGE + "Exit", "3"));
        assertEquals(3, exit.exitCode(), exit.toString());
    }

    @Test
    void ctrlCWhileANewServerStarts_endsTheColdRun_asItWouldEndJavasStart() throws Exception {
        assertSigintNotIgnored();
        // The client waits for the server it started (a JVM start); the signal comes meanwhile, and the run
        // that follows is cold: the program never runs, the client dies of SIGINT as java's start would.
        Path out = tmp.resolve("early.out");
        Path err = tmp.resolve("early.err");
        Process client = processes.start(ExecProcesses.execOrCold("-cp", SAMPLES, PACKAGE + "AwaitSignal"), ExecProcesses.ROOT,
                ProcessBuilder.Redirect.PIPE, out, err);
        Thread.sleep(50);
        new ProcessBuilder("kill", "-INT", Long.toString(client.pid())).start().waitFor();
        assertEquals(130, ExecProcesses.await(client), read(err));
        assertEquals("", read(out), "the program ran: the signal came after it started");
        assertTrue(processes.serverLog().contains("run cold, as java would (no spare ready yet): " + PACKAGE + "AwaitSignal"),
                processes.serverLog());
    }

    @Test
    void filesToDeleteOnExit_areGoneWhenTheClientExits() throws IOException {
        for (List<String> command : List.of(java("-cp", SAMPLES, PACKAGE + "DeletesOnExit"), exec("-cp", SAMPLES, PACKAGE + "DeletesOnExit"))) {
            Path folder = Files.createDirectories(tmp.resolve("deleted on exit " + System.nanoTime()));
            List<String> withArgs = new ArrayList<>(command);
            withArgs.addAll(List.of("5000", folder.toString()));
            ExecProcesses.Result result = processes.run(withArgs, ExecProcesses.ROOT, Map.of(), new byte[0]);
            assertEquals(0, result.exitCode(), result.toString());
            assertEquals("created 5000 files to delete on exit\n", result.out(), result.toString());
            try (var left = Files.list(folder)) {
                assertEquals(0, left.count(), command + ": files left in " + folder);
            }
        }
    }

    @Test
    void outputToFilesAndLargeOutput_arriveWholeBeforeTheExitCode() throws Exception {
        // 16 MB to a file, and 4 MB of stdin from a file copied to another: every byte, in order.
        Path out = tmp.resolve("big.out");
        Path err = tmp.resolve("big.err");
        Process big = processes.start(exec("-cp", SAMPLES, PACKAGE + "BigOutput", "16", "7"), ExecProcesses.ROOT,
                ProcessBuilder.Redirect.PIPE, out, err);
        assertEquals(0, ExecProcesses.await(big), Files.readString(err));
        assertEquals(sha256(expectedBigOutput(16, 7)), sha256(Files.readAllBytes(out)));
        assertEquals("wrote 16 MB with seed 7\n", Files.readString(err));

        byte[] input = expectedBigOutput(4, 11);
        Path in = Files.write(tmp.resolve("cat.in"), input);
        Process cat = processes.start(exec("-cp", SAMPLES, PACKAGE + "Cat"), ExecProcesses.ROOT,
                ProcessBuilder.Redirect.from(in.toFile()), out, err);
        assertEquals(0, ExecProcesses.await(cat), Files.readString(err));
        assertArrayEquals(input, Files.readAllBytes(out));
        assertEquals(input.length + " bytes\n", Files.readString(err));

        // Through a pipe, the same 16 MB: the exit code comes after the last byte.
        ExecProcesses.Result piped = processes.run(exec("-cp", SAMPLES, PACKAGE + "BigOutput", "16", "7"));
        assertEquals(0, piped.exitCode(), piped.toString());
        assertEquals(sha256(expectedBigOutput(16, 7)), sha256(piped.stdout()));
    }

    @Test
    void concurrentRuns_doNotMixTheirOutput() {
        int runs = 6;
        List<CompletableFuture<ExecProcesses.Result>> results = new ArrayList<>();
        for (int seed = 0; seed < runs; seed++) {
            String[] args = {"-cp", SAMPLES, PACKAGE + "BigOutput", "2", Integer.toString(seed)};
            results.add(CompletableFuture.supplyAsync(() -> processes.run(exec(args)),
                    command -> Thread.ofPlatform().start(command)));
        }
        for (int seed = 0; seed < runs; seed++) {
            ExecProcesses.Result result = results.get(seed).join();
            assertEquals(0, result.exitCode(), result.toString());
            assertEquals(sha256(expectedBigOutput(2, seed)), sha256(result.stdout()), "the output of run " + seed);
            assertEquals("wrote 2 MB with seed " + seed + "\n", result.err());
        }
    }

    @Test
    void sigintToTheClient_reachesTheProgram_asCtrlCWould() throws Exception {
        assertSigintNotIgnored();
        for (List<String> command : List.of(java("-cp", SAMPLES, PACKAGE + "AwaitSignal"),
                exec("-cp", SAMPLES, PACKAGE + "AwaitSignal"))) {
            Path out = tmp.resolve("signal.out");
            Path err = tmp.resolve("signal.err");
            Process process = processes.start(command, ExecProcesses.ROOT, ProcessBuilder.Redirect.PIPE, out, err);
            RunningHost.await("the program ready", ExecProcesses.RUN_LIMIT, () -> read(out).startsWith("ready"));
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            assertEquals(130, ExecProcesses.await(process), command + ": " + read(err));
            assertEquals("ready\nshutdown hook ran\n", read(out), command.toString());
        }
    }

    @Test
    void aClientKilledBySigkill_takesItsProgramWithIt() throws Exception {
        // The client stands for the program's process: killed where it can forward nothing, the server kills the
        // program after its grace for a late exit report. SIGKILL: the program's shutdown hook never runs.
        // A client that exits on its exit report is no orphan, though it may go before the server reads its copy.
        for (int i = 0; i < 3; i++) {
            ExecProcesses.Result hello = processes.run(exec("-cp", SAMPLES, PACKAGE + "Hello"));
            assertEquals(0, hello.exitCode(), hello.toString());
        }
        assertFalse(processes.serverLog().contains("is gone: the run is killed"), processes.serverLog());
        Path out = tmp.resolve("orphan.out");
        Path err = tmp.resolve("orphan.err");
        Process client = processes.start(exec("-cp", SAMPLES, PACKAGE + "AwaitSignal"), ExecProcesses.ROOT,
                ProcessBuilder.Redirect.PIPE, out, err);
        RunningHost.await("the program ready", ExecProcesses.RUN_LIMIT, () -> read(out).startsWith("ready"));
        ProcessHandle program = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != client.pid() && writesTo(p.pid(), out)).findFirst().orElseThrow();
        client.destroyForcibly();
        RunningHost.await("the orphaned program killed", Duration.ofSeconds(30), () -> !program.isAlive());
        assertEquals("ready\n", read(out), "the program exited rather than being killed");
        assertTrue(processes.serverLog().contains("the client of run " + program.pid() + " is gone: the run is killed"),
                processes.serverLog());
    }

    /** Whether the process's stdout is that file: the spare that runs a program has its client's. */
    private static boolean writesTo(long pid, Path file) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "1")).equals(file);
        } catch (IOException | UnsupportedOperationException | SecurityException gone) {
            return false;
        }
    }

    @Test
    void badUsageAndSparesThatCannotStart_getClearErrors() {
        ExecProcesses.Result noMain = processes.run(exec("-cp", SAMPLES));
        assertEquals(2, noMain.exitCode(), noMain.toString());
        assertTrue(noMain.err().contains("no main class given"), noMain.toString());

        ExecProcesses.Result badIdle = processes.run(exec("--max-idle", "0", "-cp", SAMPLES, PACKAGE + "Hello"));
        assertEquals(2, badIdle.exitCode(), badIdle.toString());
        assertTrue(badIdle.err().contains("--max-idle wants a duration above 0"), badIdle.toString());

        // A JVM flag the JVM refuses: java says so and exits 1; exec's spares cannot start, and it says where to look.
        Map<String, String> badFlag = Map.of("JDK_JAVA_OPTIONS", "-XX:+NoSuchFlagForExecIT");
        String[] hello = {"-cp", SAMPLES, PACKAGE + "Hello"};
        ExecProcesses.Result direct = processes.run(java(hello), ExecProcesses.ROOT, badFlag, new byte[0]);
        ExecProcesses.Result viaExec = processes.run(exec(hello), ExecProcesses.ROOT, badFlag, new byte[0]);
        assertEquals(1, direct.exitCode(), direct.toString());
        assertEquals(1, viaExec.exitCode(), viaExec.toString());
        assertTrue(viaExec.err().contains("the spare JVMs die before they are ready"), viaExec.toString());
        assertTrue(viaExec.err().contains(processes.serverFile(".log").toString()), viaExec.toString());
        assertTrue(processes.serverLog().contains("Unrecognized VM option 'NoSuchFlagForExecIT'"), processes.serverLog());
    }

    /** What BigOutput writes: its algorithm, here. */
    static byte[] expectedBigOutput(int megabytes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] all = new byte[megabytes << 20];
        byte[] chunk = new byte[1 << 16];
        for (int at = 0; at < all.length; at += chunk.length) {
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, all, at, chunk.length);
        }
        return all;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * A JVM leaves SIGINT alone when it starts with SIGINT ignored, as a command started with & from a script
     * does (and so every process below it): then even java's own run would not see Ctrl-C.
     */
    private static void assertSigintNotIgnored() throws IOException {
        String ignored = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.startsWith("SigIgn:"))
                .findFirst().orElseThrow().substring("SigIgn:".length()).trim();
        assertEquals(0, Long.parseUnsignedLong(ignored, 16) & (1L << (2 - 1)),
                "SIGINT is ignored by the tests' own JVM (bin/test started in the background by a script?): run bin/test in the foreground");
    }
}
