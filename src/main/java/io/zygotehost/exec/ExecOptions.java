package io.zygotehost.exec;

import io.zygotehost.config.Durations;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The exec server's command line, written by the client (src/main/c/zygote-exec.c) when it starts one:
 * {@code --dir DIR --key KEY --classpath CP [--max-idle D] [--spares N]}.
 *
 * @param dir        the user's private folder of exec servers (mode 0700, checked by the client)
 * @param key        the name of this class path's server in it: 16 hex digits of a hash of the class path
 * @param classPath  the class path it serves, every entry absolute
 * @param maxIdle    it exits after this long without a run
 * @param spares     spare JVMs kept started and waiting
 */
record ExecOptions(Path dir, String key, String classPath, Duration maxIdle, int spares) {

    static final Duration DEFAULT_MAX_IDLE = Duration.ofMinutes(10);
    static final int DEFAULT_SPARES = 2;
    static final int MAX_SPARES = 16;

    static ExecOptions parse(String[] args) {
        Path dir = null;
        String key = null;
        String classPath = null;
        Duration maxIdle = DEFAULT_MAX_IDLE;
        int spares = DEFAULT_SPARES;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--dir" -> dir = Path.of(value);
                case "--key" -> key = key(value);
                case "--classpath" -> classPath = value;
                case "--max-idle" -> {
                    maxIdle = Durations.parse(value);
                    if (maxIdle.isZero()) {
                        throw new IllegalArgumentException("--max-idle must be more than 0, got " + value);
                    }
                }
                case "--spares" -> spares = spares(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (dir == null || key == null || classPath == null) {
            throw new IllegalArgumentException("--dir, --key and --classpath are required");
        }
        return new ExecOptions(dir, key, classPath, maxIdle, spares);
    }

    private static int spares(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_SPARES) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--spares wants a number from 1 to " + MAX_SPARES + ", got " + value);
    }

    /** A file name, never a path: the key names files in the private folder. */
    private static String key(String value) {
        if (!value.matches("[0-9a-f]{16}")) {
            throw new IllegalArgumentException("--key wants 16 hex digits, got " + value);
        }
        return value;
    }

    /** Where the server listens. */
    Path socket() {
        return dir.resolve(key + ".sock");
    }

    /** Held locked by the live server: a socket without a locked lock file is a dead server's. */
    Path lockFile() {
        return dir.resolve(key + ".lock");
    }

    /** The server's log, the spares' start-up output and the training runs' output (the client sends the server's output there). */
    Path logFile() {
        return dir.resolve(key + ".log");
    }

    /** AOT caches, shared by the servers of every class path: named by what they were built from (AotCacheKey). */
    Path aotDir() {
        return dir.resolve("aot");
    }
}
