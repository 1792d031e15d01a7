package io.zygotehost.worker;

import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a warm-up's pipeline reports: counters of their own (the worker's stay at zero, so warm-up
 * requests never bring it closer to max_requests), and the handler's failures kept, not logged: a
 * handler that fails every warm-up request would otherwise print hundreds of stack traces;
 * {@link SelfWarmup} tells the count and the first one.
 *
 * <p>Each answer is still counted in a traffic meter and formatted as an access log line, both its own and
 * thrown away: that is the code every real request runs after its response, and left cold it was what a
 * spare compiled in its first second of serving (the log's date formatting loading locale data, the line's
 * formatting, the meter): C2 taking one of two cores made one in ten of those requests wait 3 to 6 ms.
 */
final class WarmupStats extends WorkerStats implements AutoCloseable {

    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final AccessLog rehearsal;

    WarmupStats() {
        this(AccessLog.discarding());
    }

    private WarmupStats(AccessLog rehearsal) {
        super(rehearsal);
        this.rehearsal = rehearsal;
    }

    @Override
    void handlerFailed(FullHttpRequest request, Throwable failure) {
        firstFailure.compareAndSet(null, failure);
    }

    /** The warm-up sees the 503 and counts it; nothing to log per request. */
    @Override
    void handlerTimedOut(String method, String uri, long millis) {}

    /** Stops the rehearsal log's writer thread. */
    @Override
    public void close() {
        rehearsal.close();
    }

    /** What the handler threw first, or null. */
    Throwable firstFailure() {
        return firstFailure.get();
    }
}
