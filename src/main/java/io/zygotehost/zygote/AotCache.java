package io.zygotehost.zygote;

import io.zygotehost.ipc.AotCacheSpec;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.Posix;
import io.zygotehost.process.Signals;
import io.zygotehost.process.SpawnRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation's AOT cache, seen from its zygote: which workers start with it, and the one
 * training run that builds it when it is missing.
 *
 * <p>Why in the zygote: it is the one process per generation, it outlives the workers that come and
 * go, and it spawns them, so it knows at each spawn whether the file exists yet. Its log lines go to
 * the app's log, beside the JVM's own warnings when a cache cannot be used and the training's output:
 * the whole story of a generation's cache is in one file.
 *
 * <p>A cache is never a reason to fail: a training that fails or hangs is logged and the workers
 * start without; a file the JVM cannot use (another JDK or class path, or damaged: see
 * {@link AotCacheSpec#useFlags}) is skipped by the JVM ({@code -XX:AOTMode=auto}, the default), with a
 * warning, and the worker starts as if there were none.
 */
final class AotCache {

    private static final Logger log = LoggerFactory.getLogger("zygote");
    /**
     * The training runs beside serving workers, on the same cores: nice 10 gives it about a tenth of
     * a core's share against them, so a deploy's training never slows what serves.
     */
    private static final int TRAINING_NICE = 10;

    private final GenerationSpec spec;
    /** Null when the master gave this generation no cache. */
    private final AotCacheSpec cache;
    private final Posix posix;
    /** Its pid, which is also its process group (the JVM's own assembly child is in it); 0 when none runs. */
    private volatile int training;
    private volatile long trainingStarted;
    /** What the last spawn was told, so the log says it once per change, not once per worker. */
    private String announced = "";
    private volatile boolean timedOut;

    AotCache(GenerationSpec spec, Posix posix) {
        this.spec = spec;
        this.cache = spec.aotCache();
        this.posix = posix;
    }

    /**
     * The command of the next worker: the worker command with {@code -XX:AOTCache=FILE} while the
     * file exists and every class-path jar is still the one its key was computed from.
     */
    List<String> workerCommand() {
        List<String> command = new ArrayList<>(spec.workerCommand());
        Optional<String> changed = cache == null ? Optional.empty() : cache.firstChanged();
        if (cache == null) {
            announce("none", "workers start without an AOT cache (none for this generation: see zygote-host.log)");
        } else if (changed.isPresent()) {
            announce("changed", "workers start without the AOT cache: " + changed.get()
                    + " changed since this generation started, and the cache stands for its old bytes");
        } else if (Files.isRegularFile(cache.file())) {
            announce("cache", "workers start with the AOT cache " + cache.file());
            command.addAll(1, AotCacheSpec.useFlags(cache.file()));
        } else {
            announce("missing", "workers start without an AOT cache until " + cache.file() + " is trained");
        }
        return command;
    }

    private void announce(String state, String line) {
        if (!state.equals(announced)) {
            announced = state;
            log.info("{}: {}", spec.label(), line);
        }
    }

    /**
     * Starts the training run when the cache file is missing: once per zygote, from the spawning
     * thread. The master gives one generation one zygote at a time, and a training dies with the
     * zygote that started it, so a generation never has two trainings at once.
     */
    void trainIfMissing() {
        if (cache == null || Files.isRegularFile(cache.file())) {
            return;
        }
        Optional<String> changed = cache.firstChanged();
        if (changed.isPresent()) {
            log.warn("{}: no AOT training: {} changed since this generation started", spec.label(), changed.get());
            return;
        }
        Path output = trainingOutput();
        try {
            Files.deleteIfExists(output);
            int pid = posix.spawn(trainingSpawn(output));
            training = pid;
            trainingStarted = System.nanoTime();
            try {
                posix.setGroupPriority(pid, TRAINING_NICE);
            } catch (IOException e) {
                log.warn("{}: the AOT training (pid {}) runs at normal priority: {}", spec.label(), pid, e.getMessage());
            }
            log.info("{}: no AOT cache yet: training one (pid {}, {} warm-up requests to {}) into {}", spec.label(), pid,
                    cache.trainingRequests(), cache.warmup().path(), cache.file());
            Runtime.getRuntime().addShutdownHook(new Thread(this::killTraining, "aot-training-killer"));
            Thread.ofPlatform().name("aot-training-timeout").daemon(true).start(this::enforceTimeout);
        } catch (IOException e) {
            log.error("{}: cannot start the AOT training; workers start without a cache", spec.label(), e);
        }
    }

    /** {@code KEY.aot.PID.tmp}: a training's own file, renamed to {@code KEY.aot} only once whole. */
    private Path trainingOutput() {
        return cache.file().resolveSibling(cache.file().getFileName() + "." + posix.pid() + ".tmp");
    }

    private SpawnRequest trainingSpawn(Path output) {
        List<String> argv = new ArrayList<>(spec.workerCommand());
        argv.set(0, "zygote-host: aot training " + spec.label());
        argv.addAll(1, AotCacheSpec.trainingFlags(output));
        Map<String, String> env = new HashMap<>(spec.workerEnv());
        env.put(GenerationSpec.ENV, spec.toJson());
        env.put(GenerationSpec.AOT_TRAINING_ENV, Integer.toString(posix.pid()));
        // No fd 3: the training never accepts on the app's socket. Its own process group, so that
        // killing it kills the JVM's assembly child too.
        return new SpawnRequest(spec.workerCommand().getFirst(), argv, env, Map.of(), Optional.empty(), true);
    }

    /** From the reaper: true when the pid was the training's, whose outcome is then settled here. */
    boolean reaped(int pid, ExitStatus status) {
        if (pid <= 0 || pid != training) {
            return false;
        }
        long millis = (System.nanoTime() - trainingStarted) / 1_000_000;
        Path output = trainingOutput();
        try {
            String failure = failure(status, output);
            if (failure != null) {
                log.warn("{}: AOT training failed after {} ms: {}; workers start without a cache", spec.label(), millis, failure);
                Files.deleteIfExists(output);
            } else {
                long size = Files.size(output);
                Files.move(output, cache.file(), StandardCopyOption.ATOMIC_MOVE);
                log.info("{}: AOT cache trained in {} ms ({} MB): workers spawned from now on start with it",
                        spec.label(), millis, size / (1024 * 1024));
            }
        } catch (IOException e) {
            log.warn("{}: cannot put the trained AOT cache in place; workers start without it", spec.label(), e);
        } finally {
            training = 0;
        }
        return true;
    }

    /** Why the training's file must not be used, or null when it may. */
    private String failure(ExitStatus status, Path output) throws IOException {
        if (timedOut) {
            return "killed: still running after its limit of " + cache.trainingTimeoutMillis() + " ms";
        }
        if (!status.isCleanExit()) {
            return status + " (its lines above in this log say why)";
        }
        if (!Files.isRegularFile(output) || Files.size(output) == 0) {
            return "it exited 0 but wrote no cache to " + output;
        }
        return cache.firstChanged().map(jar -> jar + " changed while it ran").orElse(null);
    }

    private void enforceTimeout() {
        long deadline = trainingStarted + cache.trainingTimeoutMillis() * 1_000_000;
        while (training != 0 && System.nanoTime() < deadline) {
            ZygoteMain.sleep(100);
        }
        int pid = training;
        if (pid != 0) {
            timedOut = true;
            posix.signalGroup(pid, Signals.SIGKILL);
        }
    }

    /** The zygote is leaving: its training goes with it, the assembly child included. */
    private void killTraining() {
        int pid = training;
        if (pid != 0) {
            posix.signalGroup(pid, Signals.SIGKILL);
        }
    }
}
