package io.zygotehost.ipc;

import io.zygotehost.config.HttpLimits;
import io.zygotehost.config.Warmup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the master tells a generation's zygote, and the zygote its workers, at spawn: JSON in the
 * {@value #ENV} environment variable (argv stays short enough to read in {@code ps}).
 *
 * @param generation    the master's number for this (app, release, settings) combination
 * @param workerCommand executable, JVM flags, class path and main class of a worker; argv[0] is replaced by the process title
 * @param workerEnv     the whole environment of a worker
 * @param warmup        the requests each worker sends itself before it accepts
 * @param warmupLimitMillis how long a worker's warm-up may take at most, so a slow handler cannot hold its start
 * @param aotCache      the generation's AOT cache; null when the JDK has none or the class path cannot have one
 * @param runAs         who the zygote becomes before it loads the app; null: it stays who the master is
 * @param tls           the certificate and key workers serve HTTPS with; null: plain HTTP
 */
public record GenerationSpec(
        String app,
        String version,
        int generation,
        String className,
        List<String> args,
        int threads,
        long maxBody,
        long requestTimeoutMillis,
        HttpLimits httpLimits,
        Warmup warmup,
        long warmupLimitMillis,
        Path ipcSocket,
        List<String> workerCommand,
        Map<String, String> workerEnv,
        AotCacheSpec aotCache,
        RunAs runAs,
        TlsFiles tls) {

    public static final String ENV = "ZYGOTE_HOST_SPEC";
    public static final String WORKER_ID_ENV = "ZYGOTE_HOST_WORKER_ID";
    /** Set ("1") for a spare: a worker that starts but accepts only once the master activates it. */
    public static final String SPARE_ENV = "ZYGOTE_HOST_SPARE";
    /** The pipe a worker writes its access log lines to; unset when access_log is off. */
    public static final String ACCESS_LOG_ENV = "ZYGOTE_HOST_ACCESS_LOG";
    /** Set (to the zygote's pid) in the AOT training run: a worker that trains the cache and never serves. */
    public static final String AOT_TRAINING_ENV = "ZYGOTE_HOST_AOT_TRAINING";
    /** The listening socket's fd number in zygotes and workers. */
    public static final int LISTEN_FD = 3;

    public GenerationSpec {
        args = List.copyOf(args);
        workerCommand = List.copyOf(workerCommand);
        workerEnv = Map.copyOf(workerEnv);
    }

    /** {@code hello@v1}: how logs and process titles name this generation. */
    public String label() {
        return label(app, version);
    }

    public static String label(String app, String version) {
        return app + "@" + version;
    }

    public String workerLabel(int workerId) {
        return label() + " #" + workerId;
    }

    public String toJson() {
        try {
            return MessageCodec.json().writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GenerationSpec fromEnv() {
        String json = System.getenv(ENV);
        if (json == null) {
            throw new IllegalStateException(ENV + " is not set: zygotes and workers are started by the master, not by hand");
        }
        try {
            return MessageCodec.json().readValue(json, GenerationSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ENV, e);
        }
    }
}
