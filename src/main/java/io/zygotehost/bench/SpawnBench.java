package io.zygotehost.bench;

import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.worker.LoopbackClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/bench spawn}: how long from "the app needs one more worker" to that worker's first
 * 200, and how warm and how big the new worker is, side by side in one run:
 * <ul>
 *   <li><b>plain JVM</b>: {@code java PlainNettyServer} serving the hello app, from exec to the first 200;</li>
 *   <li><b>worker, no AOT cache</b>: the host starts a worker JVM as the JDK starts one by default, its CDS
 *       archive of JDK classes and no AOT cache ({@code -Xshare:auto}, the default, given as the app's own flag so
 *       that the host adds no AOT flag; not {@code -XX:AOTMode=off}, which turns the CDS archive off too);</li>
 *   <li><b>worker, AOT cache</b>: the same with the version's AOT cache built;</li>
 *   <li><b>spare activated</b>: {@code spares: 1}: the needed worker is a spare, activated.</li>
 * </ul>
 * For the host rows, "needs a worker" is the crash of the app's only worker ({@code workers: 1}, SIGKILL)
 * (a worker past the master's 10 s of "dying young", so no crash backoff applies); from then on nothing
 * serves the port, the master's listening socket queues the connections, and the
 * first 200 is the first answer, from the new worker, on a connection opened after the kill. A crash, not
 * a reload that asks for one more worker: a reload's cost (the config read and checked, its jars hashed)
 * is not the worker's, and the old worker would take the new connections too. That connection then
 * carries the worker's first 1,000 requests, whose mean latency is compared with the mean of 1,000
 * requests to a worker that has served 20,000. Its PSS is read after those 1,000 requests, and again after 3 s
 * at rest (see REST). Everything runs on 127.0.0.1 with free ports, in a temp
 * folder, and is stopped at the end.
 */
public final class SpawnBench {

    private static final Pattern WORKER_ID = Pattern.compile("\\(worker (\\d+)\\)");
    private static final int FIRST_REQUESTS = 1_000;
    private static final int WARM_REQUESTS = 20_000;
    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    /** Past the master's Backoff.YOUNG (10 s): a worker killed older than this is no crash loop. */
    private static final Duration OLD_ENOUGH = Duration.ofSeconds(12);
    /**
     * How long a new worker is left idle after its first 1,000 requests before its PSS is read again: the JIT's
     * arenas of those first requests (up to 10 MB) are freed as it finishes, and given back to the OS within a
     * second (-XX:TrimNativeHeapInterval=1000). The first reading shows the worker at its warm-up's peak.
     */
    private static final Duration REST = Duration.ofSeconds(3);

    private final Path root;
    private final Path work;
    private final int samples;

    private SpawnBench(Path root, Path work, int samples) {
        this.root = root;
        this.work = work;
        this.samples = samples;
    }

    /** One row of the table: a value per sample, and the steady mean of a worker that served 20,000. */
    private record Row(String name, List<Double> firstOkMillis, List<Double> pssMb, List<Double> pssAtRestMb,
            List<Double> firstMeanMicros, double steadyMeanMicros) {
        double median() {
            return median(firstOkMillis);
        }

        static double median(List<Double> samples) {
            List<Double> sorted = samples.stream().sorted().toList();
            return sorted.get(sorted.size() / 2);
        }
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("zygote.root", "."));
        int samples = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--samples") && i + 1 < args.length) {
                samples = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: bin/bench spawn [--samples N]");
                System.exit(2);
            }
        }
        Path work = Files.createTempDirectory("zygote-bench-spawn");
        SpawnBench bench = new SpawnBench(root, work, samples);
        List<Row> rows = new ArrayList<>();
        rows.add(bench.plainJvm());
        rows.add(bench.host("worker, no AOT cache", "jvm_options: [-Xshare:auto]\n", false, false));
        rows.add(bench.host("worker, AOT cache", "", true, false));
        rows.add(bench.host("spare activated", "spares: 1\nwarmup: {path: /, requests: 2000}\n", true, true));
        print(rows);
        deleteTree(work); // kept only when a row failed, to read its logs
    }

    // ---- the plain JVM ----

    private Row plainJvm() throws Exception {
        List<Double> times = new ArrayList<>();
        List<Double> pss = new ArrayList<>();
        List<Double> pssAtRest = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        List<Double> steady = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            int port = freePort();
            String classpath = root.resolve("target/zygote-host.jar") + ":" + root.resolve("target/lib/*") + ":"
                    + root.resolve("examples/hello/v1/hello.jar");
            List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp", classpath,
                    PlainNettyServer.class.getName(), "example.hello.HelloApp", Integer.toString(port), "2"));
            long start = System.nanoTime();
            Process server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(work.resolve("plain.out").toFile()).start();
            try {
                FirstOk connection = FirstOk.await(port, start, null);
                times.add(connection.millisToFirstOk());
                first.add(connection.meanMicros(FIRST_REQUESTS - 1));
                pss.add(pssMb((int) server.pid()));
                Thread.sleep(REST);
                pssAtRest.add(pssMb((int) server.pid()));
                connection.meanMicros(WARM_REQUESTS);
                steady.add(connection.meanMicros(FIRST_REQUESTS));
                connection.close();
            } finally {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return new Row("plain JVM (PlainNettyServer)", times, pss, pssAtRest, first, Row.median(steady));
    }

    // ---- the host ----

    /** @param aot wait for the version's AOT cache before measuring, so every new worker starts from it */
    private Row host(String name, String settings, boolean aot, boolean spare) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name.replaceAll("[^a-z]+", "-")));
        int port = freePort();
        Path config = dir.resolve("apps.yml");
        writeConfig(config, port, settings, 1);
        ProcessBuilder launch = new ProcessBuilder(root.resolve("bin/zygote-host").toString(), "run", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("host.out").toFile());
        launch.environment().put("ZYGOTE_HOST_NO_BUILD", "1"); // bin/bench built it
        Process host = launch.start();
        Path log = dir.resolve("logs/zygote-host.log");
        List<Double> times = new ArrayList<>();
        List<Double> pss = new ArrayList<>();
        List<Double> pssAtRest = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        double steady;
        int exitsBefore = 0;
        try {
            awaitLog(host, log, "ready in", 1);
            if (aot) {
                awaitAotCache(dir.resolve("run/aot"));
            }
            if (spare) {
                awaitLog(host, log, "built and waiting", 1);
                if (aot) {
                    // The first spare may have started before the cache was there: recycle it into one that has it.
                    writeConfig(config, port, settings, 2);
                    signal(host.pid(), "HUP");
                    awaitLog(host, log, "built and waiting", 2);
                    writeConfig(config, port, settings, 1);
                    signal(host.pid(), "HUP");
                    awaitLog(host, log, "exited after", 1);
                    exitsBefore = 1;
                }
            }
            try (FirstOk warm = FirstOk.await(port, System.nanoTime(), null)) {
                warm.meanMicros(WARM_REQUESTS);
                steady = warm.meanMicros(FIRST_REQUESTS);
            }
            for (int i = 0; i < samples; i++) {
                String before = workerIdOf(port);
                ProcessHandle worker = ProcessHandle.of(workerPid(log, before)).orElseThrow();
                // A worker that dies younger than the master's YOUNG counts as a crash loop: its replacement
                // would wait for the backoff. Here the crash stands for a need, so the worker is let age first.
                Thread.sleep(Math.max(0, OLD_ENOUGH.toMillis() - worker.info().startInstant()
                        .map(started -> Duration.between(started, Instant.now()).toMillis()).orElse(0L)));
                long start = System.nanoTime();
                worker.destroyForcibly(); // SIGKILL: the app needs a worker now
                try (FirstOk connection = FirstOk.await(port, start, before)) {
                    times.add(connection.millisToFirstOk());
                    first.add(connection.meanMicros(FIRST_REQUESTS - 1));
                    int pid = workerPid(log, workerIdOf(port));
                    pss.add(pssMb(pid));
                    Thread.sleep(REST);
                    pssAtRest.add(pssMb(pid));
                }
                awaitLog(host, log, "exited after", exitsBefore + i + 1);
                if (spare) {
                    awaitLog(host, log, "built and waiting", exitsBefore + i + 2);
                }
                Thread.sleep(1000); // the new worker's (or spare's) start is done with the cores
            }
        } finally {
            signal(host.pid(), "TERM");
            if (!host.waitFor(60, TimeUnit.SECONDS)) {
                host.destroyForcibly();
            }
        }
        return new Row(name, times, pss, pssAtRest, first, steady);
    }

    private void writeConfig(Path config, int port, String settings, int workers) throws IOException {
        Files.writeString(config, """
                host:
                  run_dir: run
                  log_dir: logs
                apps:
                  hello:
                    path: %s
                    class: example.hello.HelloApp
                    listen: 127.0.0.1:%d
                    workers: %d
                    max_workers: 2
                    threads: 0
                """.formatted(root.resolve("examples/hello/v1"), port, workers) + settings.indent(4));
    }

    /** The pid of worker {@code id}, from the master's "ready in" line for it. */
    private static int workerPid(Path log, String id) throws IOException {
        Pattern ready = Pattern.compile("worker \\S+ #" + id + " \\(pid (\\d+)\\) ready in");
        Integer pid = null;
        for (String line : Files.readAllLines(log)) {
            Matcher m = ready.matcher(line);
            if (m.find()) {
                pid = Integer.parseInt(m.group(1));
            }
        }
        if (pid == null) {
            throw new IllegalStateException("worker " + id + " never reported ready in " + log);
        }
        return pid;
    }

    private static void awaitLog(Process host, Path log, String text, int times) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readAllLines(log).stream().filter(l -> l.contains(text)).count() >= times) {
                return;
            }
            if (!host.isAlive()) {
                throw new IllegalStateException("the host exited (" + host.exitValue() + "); see "
                        + log.getParent().resolveSibling("host.out"));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("timed out waiting for " + times + " \"" + text + "\" in " + log);
    }

    private static void awaitAotCache(Path dir) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    if (files.anyMatch(f -> f.toString().endsWith(".aot"))) {
                        return;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no AOT cache was built in " + dir);
    }

    private static String workerIdOf(int port) throws IOException {
        try (LoopbackClient client = LoopbackClient.connect(port)) {
            return workerId(client.get("/"));
        }
    }

    private static void signal(long pid, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    }

    // ---- the client side: a keep-alive connection, timed ----

    /** A connection that got a 200 from the wanted worker, and how long after the start that was. */
    private record FirstOk(LoopbackClient client, double millisToFirstOk) implements AutoCloseable {

        /**
         * Opens connections, one request each, a millisecond apart, until one gets a 200 from a
         * worker other than {@code notFrom} (any worker when null): that connection is kept open.
         */
        static FirstOk await(int port, long startNanos, String notFrom) throws Exception {
            long deadline = startNanos + READY_TIMEOUT_NANOS;
            while (System.nanoTime() < deadline) {
                try {
                    LoopbackClient client = LoopbackClient.connect(port);
                    LoopbackClient.Answer answer = client.get("/");
                    if (answer.status() == 200 && (notFrom == null || !workerId(answer).equals(notFrom))) {
                        return new FirstOk(client, (System.nanoTime() - startNanos) / 1e6);
                    }
                    client.close();
                } catch (IOException notYet) {
                    // nothing listens yet (the plain JVM): try again
                }
                Thread.sleep(1);
            }
            throw new IllegalStateException("no 200 on port " + port + " within the timeout");
        }

        /** Mean latency of the next {@code count} requests on this connection, in microseconds. */
        double meanMicros(int count) throws IOException {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                LoopbackClient.Answer answer = client.get("/");
                if (answer.status() != 200) {
                    throw new IOException("status " + answer.status());
                }
            }
            return (System.nanoTime() - start) / 1e3 / count;
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }

    private static String workerId(LoopbackClient.Answer answer) {
        Matcher m = WORKER_ID.matcher(answer.body());
        return m.find() ? m.group(1) : "";
    }

    // ---- output ----

    /** Medians of the samples; the RESULT lines add each sample, and the start against a worker without the cache. */
    private static void print(List<Row> rows) {
        System.out.printf("%-30s %14s %10s %12s %16s %14s %8s%n", "", "to first 200", "PSS", "PSS at rest", "first 1000 mean",
                "steady mean", "ratio");
        for (Row row : rows) {
            System.out.printf(Locale.ROOT, "%-30s %11.0f ms %7.1f MB %9.1f MB %13.0f us %11.0f us %7.2fx%n", row.name(),
                    row.median(), Row.median(row.pssMb()), Row.median(row.pssAtRestMb()), Row.median(row.firstMeanMicros()),
                    row.steadyMeanMicros(), Row.median(row.firstMeanMicros()) / row.steadyMeanMicros());
        }
        Row plain = rows.getFirst();
        Row noCache = rows.get(1);
        for (Row row : rows.subList(1, rows.size())) {
            System.out.printf(Locale.ROOT, "RESULT spawn row=\"%s\" first_ok_ms=%.0f vs_plain=%.2f vs_no_aot=%.2f pss_mb=%.1f"
                            + " pss_at_rest_mb=%.1f first1000_vs_steady=%.2f samples=%s pss_at_rest_samples=%s first1000_samples_us=%s%n",
                    row.name(), row.median(), row.median() / plain.median(), row.median() / noCache.median(),
                    Row.median(row.pssMb()), Row.median(row.pssAtRestMb()),
                    Row.median(row.firstMeanMicros()) / row.steadyMeanMicros(), rounded(row.firstOkMillis()),
                    rounded(row.pssAtRestMb()), rounded(row.firstMeanMicros()));
        }
    }

    private static List<String> rounded(List<Double> samples) {
        return samples.stream().map(sample -> String.format(Locale.ROOT, "%.1f", sample)).toList();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A process's PSS in MiB, as /proc/PID/smaps_rollup has it now; 0 when it cannot be read. */
    private static double pssMb(int pid) {
        return ProcessMemory.of(pid).map(ProcessMemory::pss).orElse(0L) / (1024.0 * 1024.0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
