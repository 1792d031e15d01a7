package io.zygotehost.exec;

import io.zygotehost.exec.spare.SpareMain;
import io.zygotehost.ipc.AotCacheSpec;
import io.zygotehost.ipc.FileStamp;
import io.zygotehost.master.AotCacheKey;
import io.zygotehost.process.SpawnRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line of a spare, and its AOT cache.
 *
 * <p>A spare runs the user's program and must look to it like {@code java -cp CLASSPATH MAIN}: the
 * class path is exactly the user's, the JVM's heap, GC and compilers are the JVM's defaults (not the
 * small-worker flags of ChildCommands, which would change how the program runs), and what the spare
 * needs for itself it gets for its own module only: its jar on the module path, native access (FFM) for
 * it alone, and the JDK internals it uses opened or exported to it alone, so the program cannot reach
 * anything {@code java} would not let it.
 *
 * <p>The class path's AOT cache (JDK 25, JEP 483/514/515), {@code DIR/aot/KEY.aot}, named as the host's
 * workers' caches are ({@link AotCacheKey}: a SHA-256 of the jars, the JDK, the command and the JVM flags in
 * the environment), is used when there is one. It is made by a training run ({@code exec --train}), never by
 * an ordinary run: a JVM that records a cache prints "AOTConfiguration recorded" on its stdout and takes
 * seconds longer to exit, which a program's user must not see. A class path with a folder on it
 * ({@code -cp .}) cannot have one: the JDK archives classes from jars only.
 *
 * <p>Measured and left out: a base cache for every spare, trained by the server on a spare's own start (no
 * user code): a spare then took 450 ms of CPU to get ready instead of 300 (the JVM replays the training's
 * profiles, compiling at start) and 5 to 10 ms longer to exit, on the path of every run.
 */
final class SpareCommand {

    private static final Logger log = LoggerFactory.getLogger("exec");

    static final String MODULE = "io.zygotehost.exec.spare";
    /** The JDK internals the spare uses: see Launch, WorkingDirectory and ExitReport. */
    private static final List<String> MODULE_FLAGS = List.of(
            "--add-modules", MODULE,
            "--enable-native-access=" + MODULE,
            "--add-exports", "java.base/sun.launcher=" + MODULE,
            "--add-exports", "java.base/jdk.internal.misc=" + MODULE,
            "--add-exports", "java.base/jdk.internal.access=" + MODULE,
            "--add-opens", "java.base/java.io=" + MODULE,
            "--add-opens", "java.base/java.lang=" + MODULE,
            "--add-opens", "java.base/sun.nio.fs=" + MODULE);
    static final String TITLE = "zygote-host: exec spare";
    static final String TRAINING_TITLE = "zygote-host: exec training";

    private final String java;
    private final Path spareJar;
    private final Path aotDir;
    private final Path logFile;
    private final String jdk = AotCacheKey.currentJdk();
    /** The spare's jar as the spares now waiting were started from (a rebuild replaces it under them). */
    private volatile FileStamp spareJarStamp;
    /** AOT key per (class path, start-up environment): hashing the jars takes a while, their stamps say when to again. */
    private final Map<List<Object>, Optional<String>> keys = new ConcurrentHashMap<>();

    SpareCommand(String java, Path spareJar, Path aotDir, Path logFile) {
        this.java = java;
        this.spareJar = spareJar;
        this.aotDir = aotDir;
        this.logFile = logFile;
        this.spareJarStamp = stamp(spareJar);
    }

    /**
     * False once the spare's jar changed (the project was rebuilt): spares started before read their
     * classes from a jar that is no longer there, and must not be used. The next call is true again.
     */
    boolean spareJarUnchanged() {
        FileStamp now = stamp(spareJar);
        if (Objects.equals(now, spareJarStamp)) {
            return true;
        }
        spareJarStamp = now;
        keys.clear(); // the jar is part of every AOT key
        return false;
    }

    private static FileStamp stamp(Path file) {
        try {
            return FileStamp.of(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** The jar of the spare's module, beside the host's own jar (target/zygote-exec-spare.jar). */
    static Path spareJarBeside(Path hostJar) {
        return hostJar.resolveSibling("zygote-exec-spare.jar");
    }

    /** A pool spare: from the class path's AOT cache when there is one. */
    Launch spare(ExecClassPath classPath, List<String> startupEnv) {
        List<String> command = command(classPath);
        Optional<Path> cache = aotCache(classPath, startupEnv, command);
        if (cache.isPresent() && Files.isRegularFile(cache.get())) {
            command.addAll(1, AotCacheSpec.useFlags(cache.get()));
            return new Launch(request(TITLE, command, startupEnv), cache.get().toString());
        }
        return new Launch(request(TITLE, command, startupEnv), null);
    }

    /** A training spare: it runs one program and writes the class path's AOT cache to {@code output} as it exits. */
    SpawnRequest training(ExecClassPath classPath, List<String> startupEnv, Path output) {
        List<String> command = command(classPath);
        command.addAll(1, AotCacheSpec.trainingFlags(output));
        return request(TRAINING_TITLE, command, startupEnv);
    }

    /** What a spawn of a spare is: the request, and the cache it starts from (null: none). */
    record Launch(SpawnRequest request, String aotCache) {}

    /**
     * Where the class path's cache is (whether or not it exists yet), or why it cannot have one.
     * Empty with the reason logged once.
     */
    Optional<Path> aotCache(ExecClassPath classPath, List<String> startupEnv) {
        return aotCache(classPath, startupEnv, command(classPath));
    }

    private Optional<Path> aotCache(ExecClassPath classPath, List<String> startupEnv, List<String> command) {
        Optional<String> key = keys.computeIfAbsent(List.of(classPath, startupEnv), k -> key(classPath, startupEnv, command));
        return key.map(k -> aotDir.resolve(k + ".aot"));
    }

    private Optional<String> key(ExecClassPath classPath, List<String> startupEnv, List<String> command) {
        Map<String, String> env = asMap(startupEnv);
        List<String> flags = new ArrayList<>(command);
        for (String variable : AotCacheKey.FLAG_VARIABLES) {
            flags.addAll(List.of(env.getOrDefault(variable, "").split("\\s+")));
        }
        Optional<String> unsupported = AotCacheKey.unsupported(flags, classPath.entries());
        if (unsupported.isPresent()) {
            log.info("no AOT cache for the spares of {}: {}", classPath.value(), unsupported.get());
            return Optional.empty();
        }
        try {
            List<Path> jars = new ArrayList<>(AotCacheKey.jarsOf(classPath.entries()));
            jars.add(spareJar);
            return Optional.of(AotCacheKey.compute(command, jars, env, jdk));
        } catch (IOException e) {
            log.warn("no AOT cache for the spares of {}: cannot hash the class path: {}", classPath.value(), e.toString());
            return Optional.empty();
        }
    }

    private List<String> command(ExecClassPath classPath) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("--module-path");
        command.add(spareJar.toString());
        command.addAll(MODULE_FLAGS);
        command.add("-cp");
        command.add(classPath.value());
        command.add(SpareMain.class.getName());
        return command;
    }

    /** fd 3 is filled in by the pool (the spare's end of its control socket); output: the server's log. */
    private SpawnRequest request(String title, List<String> command, List<String> startupEnv) {
        List<String> argv = new ArrayList<>(command);
        argv.set(0, title);
        return new SpawnRequest(java, argv, asMap(startupEnv), Map.of(), Optional.of(logFile), true);
    }

    private static Map<String, String> asMap(List<String> entries) {
        Map<String, String> map = new HashMap<>();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                map.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return map;
    }
}
