package io.zygotehost.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry under {@code apps:}. Sizes are in bytes; a zero size, count or duration means "off" or "none" where
 * the design says so.
 *
 * @param path the app's release directory: absolute, normalized, symlinks not resolved (so a {@code current}
 *             link can be switched by a deploy)
 * @param env  in file order (unmodifiable)
 */
public record AppConfig(String name, Path path, Optional<String> version, String className, List<String> args,
                        ListenAddress listen, int workers, int maxWorkers, long memory, long maxWorkerMemory,
                        long maxRequests, long maxRequestsJitter, Duration maxAge, Duration maxAgeJitter,
                        Duration gracefulTimeout, Duration timeout, Duration requestTimeout, long maxBody,
                        HttpLimits httpLimits, int threads, long heap, List<String> jvmOptions,
                        Map<String, String> env, int spares, Warmup warmup, boolean accessLog, boolean watch,
                        Optional<String> user, Optional<String> group, Optional<TlsConfig> tls) {

    public AppConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(maxAgeJitter, "maxAgeJitter");
        Objects.requireNonNull(gracefulTimeout, "gracefulTimeout");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(httpLimits, "httpLimits");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(tls, "tls");
        args = List.copyOf(args);
        jvmOptions = List.copyOf(jvmOptions);
        // Keeps the file's order so the child's environment is built predictably.
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }
}
