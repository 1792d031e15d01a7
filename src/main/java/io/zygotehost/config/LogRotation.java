package io.zygotehost.config;

import java.time.Duration;

/**
 * When the host rotates a log file: once it reaches {@code maxSize} bytes, or once it has been written for
 * {@code every} (zero: by size only), keeping the newest {@code keep} old files (FILE.1 is the newest).
 */
public record LogRotation(long maxSize, int keep, Duration every) {

    /** More old files than this are a mistake, and each rotation renames all of them. */
    public static final int MAX_KEEP = 1000;
    public static final LogRotation DEFAULT = new LogRotation(50L << 20, 10, Duration.ofDays(1));
}
