package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.ipc.RunAs;
import io.zygotehost.ipc.TlsFiles;
import io.zygotehost.logs.ChildLogging;
import io.zygotehost.process.SpawnRequest;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The command lines and environments of zygotes and workers. */
final class ChildCommands {

    /**
     * Flags every child JVM gets: small, quiet, and allowed the native access Netty and jnr need. The sizing flags
     * were measured with {@code bin/bench size} (README, "Small workers": hello, 2 workers, PSS after 3 s of wrk, on
     * 2 cores and 24 GB), and cost no throughput in {@code bin/bench}:
     * <ul>
     * <li>{@code -Xms8m}: the initial heap is otherwise 1/64 of the machine's memory capped by {@code heap}, so
     *     all of it (64m) here, and load soon touches all of its 21 MB young generation; from 8m the heap grows
     *     only as far as the app needs (a hello worker stays at 8 MB through 30 s of wrk, 6 of them live). 64m
     *     to 16m: worker PSS -10 MB, zygote -12 MB; 16m to 8m: worker -2.5 MB after 3 s of wrk, -5 MB after
     *     30 s, zygote -2 MB. The price: a 2.7 MB young generation collects twice as often, 0.36 instead of
     *     0.19 us of GC pause per request (-Xlog:gc, 30 s of wrk), 2% of a worker's CPU per request; an app
     *     that allocates more per request makes the heap grow, or sets -Xms in jvm_options.
     * <li>{@code -XX:TrimNativeHeapInterval=1000}: every second, malloc memory that was freed (mostly the JIT
     *     compilers' arenas, spent once the hot code is compiled) goes back to the OS; glibc keeps it otherwise.
     *     Worker PSS -13 MB, zygote -13 MB, for one malloc_trim a second.
     * <li>{@code -XX:ArchiveRelocationMode=0} (a diagnostic flag, hence the unlock): the JDK's CDS archive and a
     *     version's AOT cache are mapped at the address they were built for, so their read-only parts are the same
     *     page cache pages in every child, counted once among them. JDK 25's default maps them at a random address
     *     and rewrites their pointers, which makes every page private to each JVM: the JDK's classes.jsa was
     *     10.9 MiB of a hello worker's PSS, all private, and is 4.6 private + 2.4 (8.9 shared by the zygote and
     *     two workers); in a worker started from the AOT cache, the cache was 26.2 MiB (23.2 private) and is 11.6
     *     private + 8.7 (17.4 shared by two workers). The cost: those classes sit at an address ASLR does not
     *     move, the reason the JDK relocates by default. If the address is taken, the JVM relocates as before.
     * </ul>
     * Measured and left out, no gain: -Xss256k, -XX:ReservedCodeCacheSize=32m, MALLOC_ARENA_MAX=2,
     * -XX:+UseCompactObjectHeaders.
     */
    private static final List<String> COMMON_FLAGS = List.of(
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "-Xms8m",
            "-XX:TrimNativeHeapInterval=1000",
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:ArchiveRelocationMode=0",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-D" + ChildLogging.PROPERTY + "=child");
    /** A zygote runs the canary once and then only spawns: the C1 compiler is all it needs. */
    private static final List<String> ZYGOTE_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xss512k");
    /**
     * A worker that runs out of heap is replaced rather than left limping. (Not -XX:TieredStopAtLevel=1 as in
     * the zygote: it starts a hello worker 0.6 s sooner and saves 7 MB, but bin/bench fell from 0.93 to 0.34
     * of the plain server's requests/s.)
     */
    private static final List<String> WORKER_FLAGS = List.of("-XX:+ExitOnOutOfMemoryError");

    private static final long MIB = 1024 * 1024;

    private final String java;
    private final String hostClasspath;
    private final Path ipcSocket;
    private final Map<String, String> baseEnv;
    private final int cores;
    /** The folder of Netty's epoll library, extracted once by the master (NettyNative); empty: each worker extracts it. */
    private final Optional<Path> nettyNative;
    /** Empty on a JDK without AOT training. */
    private final Optional<AotCaches> aotCaches;

    ChildCommands(String java, String hostClasspath, Path ipcSocket, Map<String, String> baseEnv, int cores,
            Optional<Path> nettyNative, Optional<AotCaches> aotCaches) {
        this.java = java;
        this.hostClasspath = hostClasspath;
        this.ipcSocket = ipcSocket;
        this.baseEnv = Map.copyOf(baseEnv);
        this.cores = cores;
        this.nettyNative = nettyNative;
        this.aotCaches = aotCaches;
    }

    GenerationSpec spec(AppConfig app, Release release, int generation) {
        return spec(app, release, generation, new Placement(ipcSocket, null, null, null));
    }

    /**
     * Where a generation's processes reach the master and keep files, and who they run as.
     *
     * @param aotDir the folder of its AOT cache; null: the master's
     * @param runAs  null: as the master
     * @param tls    null: plain HTTP
     */
    record Placement(Path ipcSocket, Path aotDir, RunAs runAs, TlsFiles tls) {}

    GenerationSpec spec(AppConfig app, Release release, int generation, Placement placement) {
        Map<String, String> env = new HashMap<>(baseEnv);
        env.putAll(app.env());
        List<String> worker = command(app, release, workerFlags(app), "io.zygotehost.worker.WorkerMain");
        String label = GenerationSpec.label(app.name(), release.version());
        return new GenerationSpec(app.name(), release.version(), generation, app.className(), app.args(),
                app.threads(), app.maxBody(), app.requestTimeout().toMillis(), app.httpLimits(), app.warmup(),
                warmupLimit(app).toMillis(), placement.ipcSocket(), worker, env,
                aotCaches.map(caches -> placement.aotDir() == null
                        ? caches.spec(label, app, worker, classpath(release), env)
                        : caches.spec(placement.aotDir(), label, app, worker, classpath(release), env)).orElse(null),
                placement.runAs(), placement.tls());
    }

    /**
     * A worker's flags, per app, after {@link #WORKER_FLAGS}:
     * <ul>
     * <li>{@code -Dio.netty.eventLoopThreads}: the cores shared among the app's workers, at least one loop each,
     *     rather than every worker one loop per core: fewer threads than cores batch more and switch less. In
     *     {@code bin/bench} (2 workers, 2 cores) the host went from 0.83 to 0.93 of the plain server's
     *     requests/s and from 1.21 to 1.14 of its CPU per request. Counted when the generation is made: a change
     *     of {@code workers} in place keeps the loops until the next generation.
     * <li>{@code -Djava.library.path}: the folder of Netty's epoll library, ahead of the JVM's own path, so that
     *     every worker loads the one copy instead of extracting its own: 30 ms -> 10 ms of each worker's start.
     * <li>{@code -Dio.netty.jfr.enabled=false}: Netty otherwise loads JDK Flight Recorder's classes (114 of the
     *     3,550 a hello worker loads) to declare its allocator's events, which only a JFR recording reads; alone,
     *     its saving is under the noise of {@code bin/bench size}. An app that records Netty's events sets it
     *     back to true in jvm_options.
     * </ul>
     * All are -D properties the user's jvm_options can override.
     */
    private List<String> workerFlags(AppConfig app) {
        List<String> flags = new ArrayList<>(WORKER_FLAGS);
        flags.add("-Dio.netty.eventLoopThreads=" + Math.max(1, cores / app.workers()));
        flags.add("-Dio.netty.jfr.enabled=false");
        nettyNative.ifPresent(folder -> flags.add("-Djava.library.path=" + folder + File.pathSeparator
                + System.getProperty("java.library.path")));
        return flags;
    }

    /**
     * Half the app's timeout: the master kills a worker not ready within the timeout of its spawn, so the
     * warm-up must leave the other half to the JVM's start and the app's own. (The timeout applies in place,
     * the spec does not: a generation keeps the limit it was created with.)
     */
    static Duration warmupLimit(AppConfig app) {
        return app.timeout().dividedBy(2);
    }

    SpawnRequest zygote(GenerationSpec spec, AppConfig app, Release release, int listenFd, Path output) {
        List<String> argv = command(app, release, ZYGOTE_FLAGS, "io.zygotehost.zygote.ZygoteMain");
        argv.set(0, "zygote-host: zygote " + spec.label());
        Map<String, String> env = new HashMap<>(spec.workerEnv());
        env.put(GenerationSpec.ENV, spec.toJson());
        return new SpawnRequest(java, argv, env, Map.of(GenerationSpec.LISTEN_FD, listenFd), Optional.of(output), true);
    }

    /** App jars go on the class path itself (not a class loader of ours): the AOT cache stores only class-path classes. */
    private List<String> command(AppConfig app, Release release, List<String> roleFlags, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx" + (app.heap() % MIB == 0 ? app.heap() / MIB + "m" : Long.toString(app.heap())));
        command.addAll(COMMON_FLAGS);
        command.addAll(roleFlags);
        command.addAll(app.jvmOptions()); // last, so the user's flags win
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath(release).stream().map(Path::toString).toList()));
        command.add(mainClass);
        return command;
    }

    /** The host's jars, then the release's. */
    private List<Path> classpath(Release release) {
        List<Path> classpath = new ArrayList<>();
        for (String entry : hostClasspath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                classpath.add(Path.of(entry));
            }
        }
        classpath.addAll(release.jars());
        return classpath;
    }
}
