package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.ipc.GenerationSpec;
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

    /** Flags every child JVM gets: small, quiet, and allowed the native access Netty and jnr need. */
    private static final List<String> COMMON_FLAGS = List.of(
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Dlogback.configurationFile=logback-child.xml");
    /** A zygote runs the canary once and then only spawns: the C1 compiler is all it needs. */
    private static final List<String> ZYGOTE_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xss512k");
    /** A worker that runs out of heap is replaced rather than left limping. */
    private static final List<String> WORKER_FLAGS = List.of("-XX:+ExitOnOutOfMemoryError");

    private static final long MIB = 1024 * 1024;

    private final String java;
    private final String hostClasspath;
    private final Path ipcSocket;
    private final Map<String, String> baseEnv;

    ChildCommands(String java, String hostClasspath, Path ipcSocket, Map<String, String> baseEnv) {
        this.java = java;
        this.hostClasspath = hostClasspath;
        this.ipcSocket = ipcSocket;
        this.baseEnv = Map.copyOf(baseEnv);
    }

    GenerationSpec spec(AppConfig app, Release release, int generation) {
        Map<String, String> env = new HashMap<>(baseEnv);
        env.putAll(app.env());
        return new GenerationSpec(app.name(), release.version(), generation, app.className(), app.args(),
                app.threads(), app.maxBody(), app.requestTimeout().toMillis(), app.httpLimits(), app.warmup(),
                warmupLimit(app).toMillis(), ipcSocket,
                command(app, release, WORKER_FLAGS, "io.zygotehost.worker.WorkerMain"), env);
    }

    /**
     * Half the app's timeout: the master kills a worker not ready within the timeout of its spawn, so the
     * warm-up must leave the other half to the JVM's start and the app's own. (The timeout applies in place,
     * the spec does not: a generation keeps the limit it was created with.)
     */
    static Duration warmupLimit(AppConfig app) {
        return app.timeout().dividedBy(2);
    }

    SpawnRequest zygote(GenerationSpec spec, AppConfig app, Release release, int listenFd, Path logFile) {
        List<String> argv = command(app, release, ZYGOTE_FLAGS, "io.zygotehost.zygote.ZygoteMain");
        argv.set(0, "zygote-host: zygote " + spec.label());
        Map<String, String> env = new HashMap<>(spec.workerEnv());
        env.put(GenerationSpec.ENV, spec.toJson());
        env.put(GenerationSpec.LABEL_ENV, spec.label() + " zygote");
        return new SpawnRequest(java, argv, env, Map.of(GenerationSpec.LISTEN_FD, listenFd), Optional.of(logFile), true);
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
        List<String> classpath = new ArrayList<>(List.of(hostClasspath));
        release.jars().forEach(jar -> classpath.add(jar.toString()));
        command.add(String.join(File.pathSeparator, classpath));
        command.add(mainClass);
        return command;
    }
}
