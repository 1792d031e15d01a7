package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zygotehost.metrics.LatencyBuckets;
import io.zygotehost.metrics.Traffic;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A worker's traffic counts, as its heartbeat carries them. */
class TrafficMeterTest {

    @Test
    void countsKeptByTwoWorkersAddUpToTheCountsOfOne() {
        // Split a stream of responses between two meters at random: their sum is what one meter sees.
        TrafficMeter one = new TrafficMeter();
        TrafficMeter first = new TrafficMeter();
        TrafficMeter second = new TrafficMeter();
        Random random = new Random(6);
        for (int i = 0; i < 10_000; i++) {
            int status = 100 + random.nextInt(500);
            long nanos = (long) Math.pow(10, 4 + random.nextDouble() * 7); // 10 µs to 100 s
            one.record(status, nanos);
            (random.nextBoolean() ? first : second).record(status, nanos);
        }
        Traffic merged = first.snapshot().plus(second.snapshot());
        assertEquals(one.snapshot(), merged);
        assertEquals(10_000, merged.requests());
    }

    @Test
    void eachResponseIsCountedInItsClassAndItsBucket() {
        TrafficMeter meter = new TrafficMeter();
        meter.record(200, 400_000);        // 0.4 ms
        meter.record(404, 3_000_000);      // 3 ms
        meter.record(503, 20_000_000_000L); // 20 s
        Traffic traffic = meter.snapshot();
        assertEquals(1, traffic.responses(2));
        assertEquals(1, traffic.responses(4));
        assertEquals(1, traffic.responses(5));
        long[] buckets = traffic.latencyBuckets();
        assertEquals(1, buckets[0]);
        assertEquals(1, buckets[2]);
        assertEquals(1, buckets[LatencyBuckets.COUNT - 1]);
        assertEquals(20_003_400_000L, traffic.latencySumNanos());
    }
}
