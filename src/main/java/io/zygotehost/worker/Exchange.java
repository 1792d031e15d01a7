package io.zygotehost.worker;

/**
 * One request and the response the worker wrote for it: what the access log and the metrics need, and nothing
 * of the request's credentials (no Authorization, no Cookie). The request line is kept in its three parts, as
 * decoded: joining them costs a string per request, and only the access log wants them joined (it writes the
 * parts straight into its buffer).
 *
 * @param client        the peer's address, "-" when unknown (an in-memory warm-up channel)
 * @param method        "GET"; null when the response answered no decoded head (a 408), and then so are
 *                      {@code uri} and {@code protocol}
 * @param startMillis   wall-clock time when the head was decoded, for the log line's timestamp
 * @param durationNanos from the decoded head to the response handed to the encoder
 * @param bytes         the response body's length
 */
public record Exchange(String client, String method, String uri, String protocol, int status, long bytes,
                       String referer, String userAgent, long startMillis, long durationNanos) {

    /** A response that answered no decoded head. */
    static Exchange headless(String client, int status, long bytes, long startMillis) {
        return new Exchange(client, null, null, null, status, bytes, null, null, startMillis, 0);
    }
}
