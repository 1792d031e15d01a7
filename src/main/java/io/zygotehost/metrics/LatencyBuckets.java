package io.zygotehost.metrics;

import java.util.List;

/**
 * The latency buckets every worker counts its responses into. They are fixed, the same in every
 * worker of every version, so that the master can add the counts of many workers bucket by bucket:
 * a percentile of the sum is then the percentile of all the requests, which no average of the
 * workers' own percentiles gives. Prometheus's default bounds, with 1 ms and 2.5 ms added below
 * them (a hello-world answers in well under 5 ms).
 */
public final class LatencyBuckets {

    /** Upper bounds in seconds, inclusive (a bucket counts latencies {@code <=} its bound); +Inf follows the last. */
    public static final List<Double> BOUNDS =
            List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);
    /** Buckets, the last one (+Inf) included. */
    public static final int COUNT = BOUNDS.size() + 1;

    private static final long[] BOUND_NANOS = BOUNDS.stream().mapToLong(s -> Math.round(s * 1e9)).toArray();

    private LatencyBuckets() {}

    /** The bucket a latency falls in: the first whose bound it does not pass; {@code COUNT - 1} (+Inf) past the last. */
    public static int indexOf(long nanos) {
        for (int i = 0; i < BOUND_NANOS.length; i++) {
            if (nanos <= BOUND_NANOS[i]) {
                return i;
            }
        }
        return COUNT - 1;
    }

    /**
     * The {@code q}-quantile (0.99 for the 99th percentile) of the latencies counted per bucket, in
     * seconds, estimated as Prometheus's {@code histogram_quantile} does, so that the status page and
     * a Grafana panel over {@code /metrics} agree: linear within the bucket the rank falls in (from 0
     * for the first), and the highest finite bound when it falls in +Inf. NaN when nothing was counted.
     *
     * @param counts per bucket (not cumulative), {@link #COUNT} of them
     */
    public static double quantile(double q, long[] counts) {
        if (q < 0 || q > 1 || Double.isNaN(q)) {
            throw new IllegalArgumentException("a quantile is between 0 and 1, got " + q);
        }
        if (counts.length != COUNT) {
            throw new IllegalArgumentException("expected " + COUNT + " bucket counts, got " + counts.length);
        }
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < COUNT; i++) {
            long inBucket = counts[i];
            if (inBucket > 0 && below + inBucket >= rank) {
                if (i == COUNT - 1) {
                    return BOUNDS.getLast();
                }
                double lower = i == 0 ? 0 : BOUNDS.get(i - 1);
                double upper = BOUNDS.get(i);
                return lower + (upper - lower) * Math.max(0, rank - below) / inBucket;
            }
            below += inBucket;
        }
        return BOUNDS.getLast(); // not reached: the last non-empty bucket holds rank <= total
    }
}
