package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.config.Sizes;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.testapps.BlocksForeverApp;
import io.zygotehost.testapps.DiesInWorkerApp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers wear out, leak, hang and crash: the host replaces them and the app keeps serving. Each
 * test starts its own host; the load generator counts every failed request.
 */
class LifecycleIT {

    private static final Path LEAKY = RunningHost.ROOT.resolve("examples/leaky/1.0");
    private static final Pattern DRAINING = Pattern.compile("draining worker (\\S+) #\\d+ \\(pid (\\d+)\\): (.*)");
    private static final Pattern EXITED = Pattern.compile("worker (\\S+) #\\d+ \\(pid (\\d+)\\) exited after");
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void maxRequestsRecyclesWorkersWithoutAFailedRequest() throws Exception {
        // Every worker is worn out after ~50 requests: each is replaced by a ready one before it drains, one at a time.
        int port = RunningHost.freePort();
        LoadGenerator load;
        try (RunningHost host = RunningHost.start(dir, hello(port, """
                workers: 2
                max_workers: 3
                max_requests: 50
                max_requests_jitter: 10
                """))) {
            host.awaitWorkers("hello", 2);
            try (LoadGenerator running = LoadGenerator.start(port, "/", 4)) {
                load = running;
                RunningHost.await("1,000 requests answered and 3 recycled workers gone", Duration.ofSeconds(120),
                        () -> running.ok.sum() >= 1000 && recycledAndGone(host.log(), "max_requests") >= 3);
            }
            String log = host.log();
            assertEquals(0, load.failed(), load.toString());
            assertEquals(1, mostDrainingAtOnce(log), log);
            assertFalse(log.contains("no room under"), "with headroom, every replacement starts first:\n" + log);
        }
    }

    @Test
    void maxAgeWithJitterRecyclesWorkersOverTimeNotTogether() throws Exception {
        // Two workers started together, max_age 5s: they are replaced one after the other, again and again.
        int port = RunningHost.freePort();
        LoadGenerator load;
        try (RunningHost host = RunningHost.start(dir, hello(port, """
                workers: 2
                max_workers: 3
                max_age: 5s
                max_age_jitter: 2s
                """))) {
            host.awaitWorkers("hello", 2);
            try (LoadGenerator running = LoadGenerator.start(port, "/", 4)) {
                load = running;
                RunningHost.await("4 workers recycled for their age", Duration.ofSeconds(120),
                        () -> recycledAndGone(host.log(), "max_age") >= 4);
            }
            String log = host.log();
            assertEquals(0, load.failed(), load.toString());
            assertEquals(1, mostDrainingAtOnce(log), log);
            List<LocalDateTime> drains = drainTimes(log, "max_age");
            assertTrue(drains.stream().map(t -> t.withNano(0)).distinct().count() > 1, "all recycled in the same second:\n" + log);
        }
    }

    @Test
    void aLeakingWorkerIsRecycledWithinOneMemoryCheckOfItsLimit() throws Exception {
        // examples/leaky keeps 16 KiB per request; over max_worker_memory it drains at once, and a new worker serves.
        int port = RunningHost.freePort();
        long limit = 120L << 20;
        List<long[]> samples = new CopyOnWriteArrayList<>(); // {nanoTime, pss} of the first worker
        LoadGenerator load;
        try (RunningHost host = RunningHost.start(dir, """
                leaky:
                  path: %s
                  class: example.leaky.LeakyApp
                  args: [--leak, 16k]
                  listen: 127.0.0.1:%d
                  workers: 1
                  max_workers: 2
                  heap: 256m
                  max_worker_memory: 120m
                """.formatted(LEAKY, port))) {
            host.awaitWorkers("leaky", 1);
            int first = host.workers("leaky").getFirst().pid();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> sample(first, samples));
            try (LoadGenerator running = LoadGenerator.start(port, "/", 2)) {
                load = running;
                host.awaitLog(Duration.ofSeconds(90), "(pid " + first + "): recycled: PSS");
                host.awaitLog(Duration.ofSeconds(60), "(pid " + first + ") exited after");
                host.awaitWorkers("leaky", 1);
            }
            sampler.interrupt();
            String log = host.log();
            assertEquals(0, load.failed(), load.toString());
            Matcher recycled = Pattern.compile("\\(pid " + first + "\\): recycled: PSS (\\S+) over max_worker_memory").matcher(log);
            assertTrue(recycled.find(), log);
            long pssWhenRecycled = Sizes.parse(recycled.group(1));
            long growthPerCheck = largestGrowthWithin(samples, Duration.ofMillis(1200));
            assertTrue(pssWhenRecycled > limit, log);
            assertTrue(pssWhenRecycled <= limit + growthPerCheck,
                    "recycled at " + Sizes.format(pssWhenRecycled) + ", more than one check's growth ("
                            + Sizes.format(growthPerCheck) + ") over " + Sizes.format(limit));
            assertFalse(ServingIT.pids(host.workers("leaky")).contains(first));
            assertEquals(200, RunningHost.get(port, "/").statusCode());
        }
    }

    @Test
    void aMemoryBudgetThatHoldsTwoWorkersRunsTwoAndTheLogSaysWhy() throws Exception {
        // Measure this machine's zygote and workers, then give the app room for two and a half workers, and ask for 4.
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, hello(port, "workers: 2\n"))) {
            host.awaitWorkers("hello", 2);
            for (int i = 0; i < 50; i++) {
                assertEquals(200, RunningHost.get(port, "/").statusCode());
            }
            long zygote = pss(host.zygotes("hello").getFirst().pid());
            long worker = host.workers("hello").stream().mapToLong(p -> pss(p.pid())).max().orElseThrow();
            long budget = zygote + 2 * worker + worker / 2;
            host.rewrite(hello(port, "workers: 4\nmemory: " + (budget >> 10) + "k\n"));
            try (LoadGenerator load = LoadGenerator.start(port, "/", 2)) {
                host.sighup();
                host.awaitLog(Duration.ofSeconds(30), "app hello: running 2 workers, not 4: memory");
                Thread.sleep(3000); // a few memory checks and turns: nothing more is started
                assertEquals(2, host.workers("hello").size(), host.log());
                assertEquals(0, load.failed(), load.toString());
            }
            assertFalse(host.log().contains("spawned worker hello@v1 #3"), host.log());
        }
    }

    @Test
    void aHandlerThatBlocksItsEventLoopGetsTheWorkerKilledWithAThreadDump() throws Exception {
        // threads: 0 runs handlers on the event loop: one that never returns silences the heartbeat.
        int port = RunningHost.freePort();
        Path release = TestJars.release(dir.resolve("blocks"), "1.0", BlocksForeverApp.class);
        try (RunningHost host = RunningHost.start(dir, """
                blocks:
                  path: %s
                  class: %s
                  listen: 127.0.0.1:%d
                  workers: 1
                  max_workers: 2
                  threads: 0
                  timeout: 4s
                """.formatted(release, BlocksForeverApp.class.getName(), port))) {
            host.awaitWorkers("blocks", 1);
            int hung = host.workers("blocks").getFirst().pid();
            try (Socket blocked = new Socket()) {
                blocked.connect(new InetSocketAddress("127.0.0.1", port));
                blocked.setSoTimeout(60_000);
                blocked.getOutputStream().write("GET /block HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                host.awaitLog(Duration.ofSeconds(30), "(pid " + hung + "): no heartbeat for 4s (timeout): hung; SIGQUIT");
                host.awaitLog(Duration.ofSeconds(30), "(pid " + hung + ") exited after", "killed: hung");
                assertEquals(-1, readQuietly(blocked.getInputStream()), "the blocked request's connection ends with its worker");
            }
            host.awaitWorkers("blocks", 1);
            assertFalse(ServingIT.pids(host.workers("blocks")).contains(hung));
            String appLog = host.appLog("blocks");
            assertTrue(appLog.contains("Full thread dump"), appLog);
            assertTrue(appLog.contains("BlocksForeverApp"), "the dump shows where the handler waits:\n" + appLog);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, RunningHost.get(port, "/").statusCode());
            }
        }
    }

    @Test
    void aWorkerThatDiesAtOnceBacksOffWithoutTouchingTheOtherApp() throws Exception {
        // Every crashy worker dies as it starts: ever longer pauses between tries, a cool CPU, and hello serves throughout.
        int helloPort = RunningHost.freePort();
        int crashyPort = RunningHost.freePort();
        Path release = TestJars.release(dir.resolve("crashy"), "1.0", DiesInWorkerApp.class);
        try (RunningHost host = RunningHost.start(dir, hello(helloPort, "workers: 1\n") + """
                crashy:
                  path: %s
                  class: %s
                  listen: 127.0.0.1:%d
                  workers: 2
                """.formatted(release, DiesInWorkerApp.class.getName(), crashyPort))) {
            host.awaitWorkers("hello", 1);
            long cpuBefore = cpuTicks(host.pid());
            long start = System.nanoTime();
            LoadGenerator load;
            try (LoadGenerator running = LoadGenerator.start(helloPort, "/", 2)) {
                load = running;
                host.awaitLog(Duration.ofSeconds(60), "crashy@1.0 #", "CRASH LOOP");
                RunningHost.await("5 backoff steps", Duration.ofSeconds(60), () -> backoffs(host.log(), "crashy").size() >= 5);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double masterCpu = (cpuTicks(host.pid()) - cpuBefore) / 100.0 / seconds;
            List<Long> delays = backoffs(host.log(), "crashy");
            assertEquals(0, load.failed(), load.toString());
            for (int i = 1; i < delays.size(); i++) {
                assertTrue(delays.get(i) >= delays.get(i - 1), "the backoff never shrinks: " + delays);
            }
            assertTrue(delays.getLast() >= 4 * delays.getFirst(), "the backoff grows: " + delays);
            assertTrue(masterCpu < 0.25, "the master used " + masterCpu + " of a core during the crash loop");
            long spawns = host.log().lines().filter(l -> l.contains("spawned worker crashy@")).count();
            assertTrue(spawns <= delays.size() + 2, "one spawn per backoff step, not per missing worker: " + spawns);
            assertEquals(200, RunningHost.get(helloPort, "/").statusCode());
            assertTrue(ProcessHandle.of(host.pid()).map(ProcessHandle::isAlive).orElse(false), "the master lives");
        }
    }

    // ---- helpers ----

    private static String hello(int port, String settings) {
        return RunningHost.hello(RunningHost.HELLO_V1, port, settings);
    }

    /** Workers drained for the reason (a config key in the drain line) whose exit has been seen. */
    private static long recycledAndGone(String log, String reason) {
        Set<String> drained = new HashSet<>();
        long gone = 0;
        for (String line : log.lines().toList()) {
            Matcher drain = DRAINING.matcher(line);
            if (drain.find() && drain.group(3).contains(reason)) {
                drained.add(drain.group(2));
            }
            Matcher exit = EXITED.matcher(line);
            if (exit.find() && drained.contains(exit.group(2))) {
                gone++;
            }
        }
        return gone;
    }

    /** The most workers between their drain and their exit at any point of the log. */
    private static int mostDrainingAtOnce(String log) {
        Set<String> draining = new HashSet<>();
        int most = 0;
        for (String line : log.lines().toList()) {
            Matcher drain = DRAINING.matcher(line);
            if (drain.find()) {
                draining.add(drain.group(2));
                most = Math.max(most, draining.size());
            }
            Matcher exit = EXITED.matcher(line);
            if (exit.find()) {
                draining.remove(exit.group(2));
            }
        }
        return most;
    }

    private static List<LocalDateTime> drainTimes(String log, String reason) {
        return log.lines().filter(l -> DRAINING.matcher(l).find() && l.contains(reason))
                .map(l -> LocalDateTime.parse(l.substring(0, 23), LOG_TIME)).toList();
    }

    /** The "replacing it in N ms" of each of the app's failed workers, in order. */
    private static List<Long> backoffs(String log, String app) {
        Pattern delay = Pattern.compile("replacing it in (\\d+) ms");
        List<Long> delays = new ArrayList<>();
        log.lines().filter(l -> l.contains("worker " + app + "@")).forEach(l -> {
            Matcher m = delay.matcher(l);
            if (m.find()) {
                delays.add(Long.parseLong(m.group(1)));
            }
        });
        return delays;
    }

    private static void sample(int pid, List<long[]> samples) {
        while (!Thread.currentThread().isInterrupted()) {
            ProcessMemory.of(pid).ifPresent(m -> samples.add(new long[] {System.nanoTime(), m.pss()}));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The most the sampled PSS grew within any window of the given length: what one memory check can miss. */
    private static long largestGrowthWithin(List<long[]> samples, Duration window) {
        long largest = 0;
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size() && samples.get(j)[0] - samples.get(i)[0] <= window.toNanos(); j++) {
                largest = Math.max(largest, samples.get(j)[1] - samples.get(i)[1]);
            }
        }
        return largest;
    }

    private static long pss(int pid) {
        return ProcessMemory.of(pid).orElseThrow().pss();
    }

    /** utime + stime of a process, in clock ticks (100 a second on Linux). */
    private static long cpuTicks(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static int readQuietly(InputStream in) {
        try {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                // the worker died mid-request: nothing should come, but drain whatever does
            }
            return n;
        } catch (IOException e) {
            return -1; // reset by the kill: the connection ended too
        }
    }
}
