package io.zygotehost.worker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters shared by every connection of a worker, read by the heartbeat. */
final class WorkerStats {
    /** Every request answered or refused, counted once its head is in (or its head timed out). */
    final LongAdder requests = new LongAdder();
    /** Requests whose client still waits for the handler's response. */
    final AtomicInteger inFlight = new AtomicInteger();
    /** Handlers still running past request_timeout: their clients got a 503, so they are no longer in flight. */
    final AtomicInteger stuck = new AtomicInteger();
}
