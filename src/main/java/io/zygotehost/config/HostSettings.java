package io.zygotehost.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code host:} section: settings of the master itself.
 *
 * @param runDir      absolute, normalized (symlinks not resolved)
 * @param logDir      absolute, normalized (symlinks not resolved)
 * @param memoryLimit bytes; 0 means no limit
 */
public record HostSettings(Path runDir, Path logDir, long memoryLimit, Optional<ListenAddress> admin,
                           Optional<String> adminToken, Duration shutdownTimeout, LogRotation logRotation) {

    public HostSettings {
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(adminToken, "adminToken");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(logRotation, "logRotation");
    }
}
