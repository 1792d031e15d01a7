package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.process.SpawnRequest;
import java.io.File;
import java.nio.file.Path;
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
    /** Empty on a JDK without AOT training. */
    private final Optional<AotCaches> aotCaches;

    ChildCommands(String java, String hostClasspath, Path ipcSocket, Map<String, String> baseEnv,
            Optional<AotCaches> aotCaches) {
        this.java = java;
        this.hostClasspath = hostClasspath;
        this.ipcSocket = ipcSocket;
        this.baseEnv = Map.copyOf(baseEnv);
        this.aotCaches = aotCaches;
    }

    GenerationSpec spec(AppConfig app, Release release, int generation) {
        Map<String, String> env = new HashMap<>(baseEnv);
        env.putAll(app.env());
        List<String> worker = command(app, release, WORKER_FLAGS, "io.zygotehost.worker.WorkerMain");
        String label = GenerationSpec.label(app.name(), release.version());
        return new GenerationSpec(app.name(), release.version(), generation, app.className(), app.args(),
                app.threads(), app.maxBody(), app.requestTimeout().toMillis(), app.httpLimits(), ipcSocket, worker, env,
                aotCaches.map(caches -> caches.spec(label, app, worker, classpath(release), env)).orElse(null));
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
