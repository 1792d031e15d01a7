package io.zygotehost.worker;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.zygotehost.metrics.LatencyBuckets;
import io.zygotehost.metrics.Traffic;

/**
 * A worker's responses by status class and their latencies in the fixed {@link LatencyBuckets}, in
 * dropwizard counters ({@code responses.2xx}, {@code latency.le.0.005} ...; each a LongAdder, so the
 * event loops count without contending). No reservoir: a sampled histogram's percentiles cannot be
 * added across workers, fixed buckets can. The heartbeat carries a {@link #snapshot} to the master.
 */
final class TrafficMeter {

    private final MetricRegistry registry = new MetricRegistry();
    private final Counter[] responses = new Counter[Traffic.STATUS_CLASSES];
    private final Counter[] latency = new Counter[LatencyBuckets.COUNT];
    private final Counter latencySumNanos;

    TrafficMeter() {
        for (int i = 0; i < responses.length; i++) {
            responses[i] = registry.counter("responses." + (i + 1) + "xx");
        }
        for (int i = 0; i < latency.length; i++) {
            latency[i] = registry.counter("latency.le." + (i < LatencyBuckets.BOUNDS.size() ? LatencyBuckets.BOUNDS.get(i) : "inf"));
        }
        latencySumNanos = registry.counter("latency.sum_nanos");
    }

    /** One response written. On an event loop. */
    void record(int status, long nanos) {
        responses[Traffic.statusClass(status)].inc();
        latency[LatencyBuckets.indexOf(nanos)].inc();
        latencySumNanos.inc(nanos);
    }

    /**
     * The counts so far. Read counter by counter while the loops go on counting, so a response
     * counted meanwhile may be in its class and not yet in its bucket; the next snapshot has both.
     */
    Traffic snapshot() {
        long[] byClass = new long[responses.length];
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = responses[i].getCount();
        }
        long[] buckets = new long[latency.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = latency[i].getCount();
        }
        return new Traffic(byClass, buckets, latencySumNanos.getCount());
    }
}
