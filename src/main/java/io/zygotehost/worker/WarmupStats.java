package io.zygotehost.worker;

import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a warm-up's pipeline reports: counters of their own (the worker's stay at zero, so warm-up
 * requests never bring it closer to max_requests), and the handler's failures kept, not logged: a
 * handler that fails every warm-up request would otherwise print hundreds of stack traces;
 * {@link SelfWarmup} tells the count and the first one.
 */
final class WarmupStats extends WorkerStats {

    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    @Override
    void handlerFailed(FullHttpRequest request, Throwable failure) {
        firstFailure.compareAndSet(null, failure);
    }

    /** A warm-up request is no user's: it stays out of the access log and the metrics. */
    @Override
    void answered(Exchange exchange) {}

    /** The warm-up sees the 503 and counts it; nothing to log per request. */
    @Override
    void handlerTimedOut(String method, String uri, long millis) {}

    /** What the handler threw first, or null. */
    Throwable firstFailure() {
        return firstFailure.get();
    }
}
