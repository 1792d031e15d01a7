package io.zygotehost.worker;

/**
 * One request and the response the worker wrote for it: what the access log and the metrics need, and nothing
 * of the request's credentials (no Authorization, no Cookie).
 *
 * @param client        the peer's address, "-" when unknown (an in-memory warm-up channel)
 * @param requestLine   "GET /path HTTP/1.1", or "-" when the response answered no decoded head (a 408)
 * @param startMillis   wall-clock time when the head was decoded, for the log line's timestamp
 * @param durationNanos from the decoded head to the response handed to the encoder
 * @param bytes         the response body's length
 */
public record Exchange(String client, String requestLine, int status, long bytes, String referer, String userAgent,
                       long startMillis, long durationNanos) {}
