package io.zygotehost.worker;

import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pipelines of a worker report to: counters shared by every connection, read by the
 * heartbeat, and the handler's failures. Not final: a warm-up's pipeline reports to its own
 * {@link WarmupStats}, so its requests never count towards max_requests and its failures are told once.
 */
class WorkerStats {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    /** Every request answered or refused, counted once its head is in (or its head timed out). */
    final LongAdder requests = new LongAdder();
    /** Requests whose client still waits for the handler's response. */
    final AtomicInteger inFlight = new AtomicInteger();
    /** Handlers still running past request_timeout: their clients got a 503, so they are no longer in flight. */
    final AtomicInteger stuck = new AtomicInteger();
    /** Responses by status class and their latencies, for the master's metrics. */
    final TrafficMeter traffic = new TrafficMeter();
    /** The access log, or nothing when it is off. */
    private final Consumer<Exchange> accessLog;

    /** Reports exchanges to nobody: a training run, a test. */
    WorkerStats() {
        this(exchange -> {});
    }

    WorkerStats(Consumer<Exchange> accessLog) {
        this.accessLog = accessLog;
    }

    /** The worker wrote a response: every one, the app's and the worker's own refusals. On the event loop. */
    void answered(Exchange exchange) {
        traffic.record(exchange.status(), exchange.durationNanos());
        accessLog.accept(exchange);
    }

    /** The app's handler threw (or returned nothing): its client gets a 500. Called on the thread that ran it. */
    void handlerFailed(FullHttpRequest request, Throwable failure) {
        log.error("{} {} failed", request.method(), request.uri(), failure);
    }

    /** A handler on the pool still runs after request_timeout: its client got a 503. On the event loop. */
    void handlerTimedOut(String method, String uri, long millis) {
        log.warn("{} {} still in its handler after {} ms (request_timeout): answered 503", method, uri, millis);
    }
}
