package io.zygotehost.config;

import java.util.Objects;

/** Requests a new worker sends to itself before it takes traffic; {@code requests == 0} turns warm-up off. */
public record Warmup(String path, int requests) {

    public static final Warmup DEFAULT = new Warmup("/", 0);

    public Warmup {
        Objects.requireNonNull(path, "path");
    }
}
