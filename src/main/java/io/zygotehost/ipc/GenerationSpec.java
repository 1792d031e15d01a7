package io.zygotehost.ipc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.zygotehost.config.HttpLimits;
import io.zygotehost.config.Warmup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** The spec as {@value #ENV} carries it: one JSON object, the fields by their record names. */
    public String toJson() {
        return WireJson.object(out -> {
            out.writeStringField("app", app);
            out.writeStringField("version", version);
            out.writeNumberField("generation", generation);
            out.writeStringField("className", className);
            WireJson.writeTexts(out, "args", args);
            out.writeNumberField("threads", threads);
            out.writeNumberField("maxBody", maxBody);
            out.writeNumberField("requestTimeoutMillis", requestTimeoutMillis);
            out.writeObjectFieldStart("httpLimits");
            out.writeNumberField("maxRequestLine", httpLimits.maxRequestLine());
            out.writeNumberField("maxHeaderSize", httpLimits.maxHeaderSize());
            out.writeNumberField("headerTimeoutMillis", httpLimits.headerTimeoutMillis());
            out.writeNumberField("keepAliveTimeoutMillis", httpLimits.keepAliveTimeoutMillis());
            out.writeEndObject();
            writeWarmup(out, warmup);
            out.writeNumberField("warmupLimitMillis", warmupLimitMillis);
            WireJson.writePath(out, "ipcSocket", ipcSocket);
            WireJson.writeTexts(out, "workerCommand", workerCommand);
            WireJson.writeTextMap(out, "workerEnv", workerEnv);
            if (aotCache != null) {
                out.writeObjectFieldStart("aotCache");
                WireJson.writePath(out, "file", aotCache.file());
                out.writeArrayFieldStart("classPath");
                for (FileStamp stamp : aotCache.classPath()) {
                    out.writeStartObject();
                    WireJson.writePath(out, "path", stamp.path());
                    out.writeNumberField("device", stamp.device());
                    out.writeNumberField("inode", stamp.inode());
                    out.writeNumberField("size", stamp.size());
                    out.writeNumberField("modifiedNanos", stamp.modifiedNanos());
                    out.writeNumberField("changedNanos", stamp.changedNanos());
                    out.writeEndObject();
                }
                out.writeEndArray();
                out.writeNumberField("trainingTimeoutMillis", aotCache.trainingTimeoutMillis());
                writeWarmup(out, aotCache.warmup());
                out.writeEndObject();
            }
            if (runAs != null) {
                out.writeObjectFieldStart("runAs");
                out.writeStringField("user", runAs.user());
                out.writeNumberField("uid", runAs.uid());
                out.writeNumberField("gid", runAs.gid());
                out.writeEndObject();
            }
            if (tls != null) {
                out.writeObjectFieldStart("tls");
                WireJson.writePath(out, "cert", tls.cert());
                WireJson.writePath(out, "key", tls.key());
                out.writeStringField("fingerprint", tls.fingerprint());
                out.writeEndObject();
            }
        });
    }

    private static void writeWarmup(JsonGenerator out, Warmup warmup) throws IOException {
        out.writeObjectFieldStart("warmup");
        out.writeStringField("path", warmup.path());
        out.writeNumberField("requests", warmup.requests());
        out.writeEndObject();
    }

    public static GenerationSpec fromJson(String json) throws IOException {
        WireJson.Fields in = WireJson.read(json);
        try {
            WireJson.Fields limits = in.object("httpLimits");
            WireJson.Fields aot = in.object("aotCache");
            WireJson.Fields runAs = in.object("runAs");
            WireJson.Fields tls = in.object("tls");
            return new GenerationSpec(in.text("app"), in.text("version"), in.integer("generation"), in.text("className"),
                    in.texts("args"), in.integer("threads"), in.number("maxBody"), in.number("requestTimeoutMillis"),
                    new HttpLimits(limits.integer("maxRequestLine"), limits.integer("maxHeaderSize"),
                            limits.number("headerTimeoutMillis"), limits.number("keepAliveTimeoutMillis")),
                    warmup(in.object("warmup")), in.number("warmupLimitMillis"), in.path("ipcSocket"),
                    in.texts("workerCommand"), in.textMap("workerEnv"),
                    aot == null ? null : new AotCacheSpec(aot.path("file"), stamps(aot.objects("classPath")),
                            aot.number("trainingTimeoutMillis"), warmup(aot.object("warmup"))),
                    runAs == null ? null : new RunAs(runAs.text("user"), runAs.integer("uid"), runAs.integer("gid")),
                    tls == null ? null : new TlsFiles(tls.path("cert"), tls.path("key"), tls.text("fingerprint")));
        } catch (RuntimeException e) {
            throw new IOException("not a generation spec (" + e.getMessage() + ")", e);
        }
    }

    private static List<FileStamp> stamps(List<WireJson.Fields> objects) {
        List<FileStamp> stamps = new ArrayList<>();
        for (WireJson.Fields s : objects) {
            stamps.add(new FileStamp(s.path("path"), s.number("device"), s.number("inode"), s.number("size"),
                    s.number("modifiedNanos"), s.number("changedNanos")));
        }
        return stamps;
    }

    private static Warmup warmup(WireJson.Fields in) {
        return new Warmup(in.text("path"), in.integer("requests"));
    }

    public static GenerationSpec fromEnv() {
        String json = System.getenv(ENV);
        if (json == null) {
            throw new IllegalStateException(ENV + " is not set: zygotes and workers are started by the master, not by hand");
        }
        try {
            return fromJson(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ENV, e);
        }
    }
}
