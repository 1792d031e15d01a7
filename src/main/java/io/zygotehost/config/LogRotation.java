package io.zygotehost.config;

/** When the host rotates its log files: at {@code maxSize} bytes, keeping the newest {@code keep} old files. */
public record LogRotation(long maxSize, int keep) {

    public static final LogRotation DEFAULT = new LogRotation(50L << 20, 10);
}
