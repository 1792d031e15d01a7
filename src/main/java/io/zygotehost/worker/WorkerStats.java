package io.zygotehost.worker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters shared by every connection of a worker, read by the heartbeat. */
final class WorkerStats {
    final LongAdder requests = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
}
