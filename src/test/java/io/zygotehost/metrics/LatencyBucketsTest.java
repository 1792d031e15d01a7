package io.zygotehost.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.ipc.Message;
import io.zygotehost.ipc.MessageCodec;
import org.junit.jupiter.api.Test;

/** The fixed latency buckets, their percentiles, and traffic counts adding up across workers. */
class LatencyBucketsTest {

    private static final long MS = 1_000_000;

    @Test
    void aLatencyOnABoundBelongsToThatBucket() {
        // Prometheus's le: a bucket counts what is at most its bound.
        assertEquals(0, LatencyBuckets.indexOf(0));
        assertEquals(0, LatencyBuckets.indexOf(MS));
        assertEquals(1, LatencyBuckets.indexOf(MS + 1));
        assertEquals(6, LatencyBuckets.indexOf(100 * MS), "0.1 s is in le=0.1");
        assertEquals(7, LatencyBuckets.indexOf(120 * MS));
        assertEquals(LatencyBuckets.COUNT - 2, LatencyBuckets.indexOf(10_000 * MS), "10 s, the last finite bound");
        assertEquals(LatencyBuckets.COUNT - 1, LatencyBuckets.indexOf(10_000 * MS + 1), "past it: +Inf");
    }

    @Test
    void percentilesAreInterpolatedWithinTheirBucketAsPrometheusDoes() {
        // 60 requests under 1 ms, 30 between 2.5 and 5 ms, 10 between 250 and 500 ms.
        long[] counts = new long[LatencyBuckets.COUNT];
        counts[0] = 60;
        counts[2] = 30;
        counts[8] = 10;
        assertEquals(0.001 * 50 / 60, LatencyBuckets.quantile(0.5, counts), 1e-12);
        assertEquals(0.005, LatencyBuckets.quantile(0.9, counts), 1e-12, "rank 90 is the last of the 2.5-5 ms bucket");
        assertEquals(0.25 + 0.25 * 9 / 10, LatencyBuckets.quantile(0.99, counts), 1e-12);
        assertEquals(0.5, LatencyBuckets.quantile(1, counts), 1e-12);
    }

    @Test
    void aPercentileInTheOpenBucketIsTheLastBound() {
        long[] counts = new long[LatencyBuckets.COUNT];
        counts[LatencyBuckets.COUNT - 1] = 5;
        assertEquals(10.0, LatencyBuckets.quantile(0.5, counts));
        assertTrue(Double.isNaN(LatencyBuckets.quantile(0.5, new long[LatencyBuckets.COUNT])), "nothing counted");
        assertThrows(IllegalArgumentException.class, () -> LatencyBuckets.quantile(1.5, counts));
    }

    @Test
    void trafficOfTwoWorkersAddsUpToTheTrafficOfBoth() {
        // One fast worker, one slow: the percentile of the sum is the percentile of all their requests,
        // which no average of the two workers' own percentiles gives.
        Traffic fast = traffic(new long[] {0, 100, 0, 0, 0}, 0, 100, 100 * MS / 2);
        Traffic slow = traffic(new long[] {0, 90, 0, 10, 0}, 9, 100, 100 * 750 * MS);
        Traffic both = fast.plus(slow);
        assertEquals(200, both.requests());
        assertEquals(190, both.responses(2));
        assertEquals(10, both.responses(4));
        assertEquals(fast.latencySumNanos() + slow.latencySumNanos(), both.latencySumNanos());
        assertEquals(0.001, both.latencyQuantile(0.5), 1e-12, "half the requests were under 1 ms");
        assertEquals(0.75, both.latencyQuantile(0.75), 1e-12, "a quarter of them were over 750 ms");
        double averageOfEach = (fast.latencyQuantile(0.75) + slow.latencyQuantile(0.75)) / 2;
        assertTrue(Math.abs(averageOfEach - 0.75) > 0.3, "averaging percentiles is wrong: " + averageOfEach);
        assertEquals(Traffic.NONE.plus(both), both, "NONE adds nothing");
    }

    @Test
    void statusCodesFallInTheirClassAndStrayCodesAtTheEnds() {
        assertEquals(0, Traffic.statusClass(101));
        assertEquals(1, Traffic.statusClass(204));
        assertEquals(3, Traffic.statusClass(413));
        assertEquals(4, Traffic.statusClass(503));
        assertEquals(0, Traffic.statusClass(42), "under 100: counted with 1xx");
        assertEquals(4, Traffic.statusClass(999), "over 599: counted with 5xx");
    }

    @Test
    void trafficCrossesTheWireInAHeartbeatWhole() throws Exception {
        // The heartbeat carries counts, and only counts: a few dozen numbers whatever the load.
        Traffic traffic = traffic(new long[] {0, 7, 1, 2, 3}, 4, 13, 987_654_321L);
        String line = MessageCodec.encode(new Message.Heartbeat(13, 1, 0, traffic));
        assertEquals(new Message.Heartbeat(13, 1, 0, traffic), MessageCodec.decode(line));
        assertTrue(line.contains("\"traffic\":{\"responses\":[0,7,1,2,3],\"latency_buckets\":[0,0,0,0,13,0,0,0,0,0,0,0,0,0],"
                + "\"latency_sum_nanos\":987654321}"), line);
        assertThrows(IllegalArgumentException.class, () -> new Traffic(new long[4], new long[LatencyBuckets.COUNT], 0));
    }

    /** Every response in one bucket. */
    private static Traffic traffic(long[] responses, int bucket, long inBucket, long sumNanos) {
        long[] buckets = new long[LatencyBuckets.COUNT];
        buckets[bucket] = inBucket;
        return new Traffic(responses, buckets, sumNanos);
    }
}
