package io.zygotehost.config;

/**
 * What every worker enforces on a connection before a request reaches the app (the body's limit,
 * {@code max_body}, is a key of its own). Durations are in milliseconds rather than {@code Duration}s:
 * the record travels to the workers as JSON inside the generation's spec.
 *
 * @param maxRequestLine         bytes of the request line; longer gets a 414
 * @param maxHeaderSize          bytes of all header lines together; more gets a 431
 * @param headerTimeoutMillis    from a request's first byte to the end of its headers; slower gets a 408 (slowloris)
 * @param keepAliveTimeoutMillis an idle keep-alive connection is closed after this
 */
public record HttpLimits(int maxRequestLine, int maxHeaderSize, long headerTimeoutMillis, long keepAliveTimeoutMillis) {

    public static final HttpLimits DEFAULT = new HttpLimits(8 << 10, 16 << 10, 10_000, 5_000);
}
