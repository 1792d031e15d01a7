package io.zygotehost.ipc;

import io.zygotehost.config.Warmup;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A generation's AOT cache (JDK 25, JEP 483/514/515), as the master hands it to the zygote: where
 * the cache file is, which bytes its name stands for, and how to train it when it is missing.
 *
 * @param file                  {@code run_dir/aot/KEY.aot}; KEY is a SHA-256 of the worker's class-path jars, JDK and flags
 * @param classPath             every class-path jar as it was when KEY was computed: the cache is not used or
 *                              built once one of them changed (replaced in place) since
 * @param trainingTimeoutMillis a training run still going after this (four of the app's {@code timeout}) is killed
 * @param warmup                the requests the training run sends itself; at least a few even when 0
 */
public record AotCacheSpec(Path file, List<FileStamp> classPath, long trainingTimeoutMillis, Warmup warmup) {

    /**
     * With warm-up off, a training still sends this many: a cache trained on start-up alone lacks
     * the classes of the first request (the HTTP codec, the dispatcher, the app's handler), which
     * every worker then loads and links at its first request, the slow part a cache is for.
     */
    static final int REQUESTS_WITHOUT_WARMUP = 20;

    /**
     * The flags of a JVM that starts from the cache {@code file}. {@code -XX:+VerifySharedSpaces}: check its
     * checksums at start. A cache damaged past its header otherwise crashes the JVM (SIGSEGV in
     * Method::restore_unshareable_info, measured on JDK 25.0.3): every worker would die young, a crash loop.
     * Verified, the JVM refuses it with a warning and starts without. Measured cost: under 10 ms per start
     * for a 15 MB cache, within the noise of a JVM start.
     */
    public static List<String> useFlags(Path file) {
        return List.of("-XX:AOTCache=" + file, "-XX:+VerifySharedSpaces");
    }

    /**
     * The flags of a training run that writes its cache to {@code output} when it exits (JEP 514's one step).
     * Its [aot] warnings (classes it skips: JFR events, proxies) are noise in a log; errors stay.
     */
    public static List<String> trainingFlags(Path output) {
        return List.of("-XX:AOTCacheOutput=" + output, "-Xlog:aot=error");
    }

    public AotCacheSpec {
        classPath = List.copyOf(classPath);
    }

    /** How many warm-up requests the training run sends itself. */
    public int trainingRequests() {
        return warmup.requests() > 0 ? warmup.requests() : REQUESTS_WITHOUT_WARMUP;
    }

    /** The first class-path jar that is no longer the one KEY was computed from; empty while all are. One stat per jar. */
    public Optional<String> firstChanged() {
        return classPath.stream().filter(stamp -> !stamp.unchanged()).map(stamp -> stamp.path().toString()).findFirst();
    }
}
