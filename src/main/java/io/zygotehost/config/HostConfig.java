package io.zygotehost.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole config file, validated.
 *
 * @param file absolute, normalized path of the file it came from
 * @param apps by name, in the order the file declares them (unmodifiable)
 */
public record HostConfig(Path file, HostSettings host, Map<String, AppConfig> apps) {

    public HostConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(host, "host");
        // Map.copyOf would lose the file's order, which the master uses to start apps.
        apps = Collections.unmodifiableMap(new LinkedHashMap<>(apps));
    }
}
