package io.zygotehost.metrics;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Arrays;

/**
 * What a worker, or all the workers of a version, answered: responses by status class and their
 * latencies in the fixed {@link LatencyBuckets}. Counts only, since the worker started, so that a
 * heartbeat stays small however busy the worker is and a lost one loses nothing; and counts add up:
 * the sum of two workers' traffic is the traffic of both, percentiles included.
 *
 * @param responses       5 counts: status 1xx, 2xx, 3xx, 4xx, 5xx (a code under 200 counts as 1xx, one
 *                        over 599 as 5xx), every response the worker wrote, the app's and its own refusals
 * @param latencyBuckets  {@link LatencyBuckets#COUNT} counts, one per bucket (not cumulative), the last +Inf:
 *                        the time from the request's head decoded to its response written
 * @param latencySumNanos the latencies added up
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Traffic(long[] responses, long[] latencyBuckets, long latencySumNanos) {

    public static final int STATUS_CLASSES = 5;
    public static final Traffic NONE = new Traffic(new long[STATUS_CLASSES], new long[LatencyBuckets.COUNT], 0);

    public Traffic {
        if (responses == null || responses.length != STATUS_CLASSES) {
            throw new IllegalArgumentException("responses: expected " + STATUS_CLASSES + " counts (1xx..5xx), got "
                    + (responses == null ? "none" : responses.length));
        }
        if (latencyBuckets == null || latencyBuckets.length != LatencyBuckets.COUNT) {
            throw new IllegalArgumentException("latency_buckets: expected " + LatencyBuckets.COUNT + " counts, got "
                    + (latencyBuckets == null ? "none" : latencyBuckets.length));
        }
        responses = responses.clone();
        latencyBuckets = latencyBuckets.clone();
    }

    /** The index in {@link #responses} of a status code's class. */
    public static int statusClass(int code) {
        return Math.clamp(code / 100, 1, STATUS_CLASSES) - 1;
    }

    /** Every response counted. */
    public long requests() {
        return Arrays.stream(responses).sum();
    }

    /** Responses of status class {@code hundreds} (2 for 2xx). */
    public long responses(int hundreds) {
        return responses[hundreds - 1];
    }

    /** The {@code q}-quantile of the latencies in seconds, as {@link LatencyBuckets#quantile} estimates it; NaN for none. */
    public double latencyQuantile(double q) {
        return LatencyBuckets.quantile(q, latencyBuckets);
    }

    public Traffic plus(Traffic other) {
        long[] sumResponses = responses.clone();
        long[] sumBuckets = latencyBuckets.clone();
        for (int i = 0; i < sumResponses.length; i++) {
            sumResponses[i] += other.responses[i];
        }
        for (int i = 0; i < sumBuckets.length; i++) {
            sumBuckets[i] += other.latencyBuckets[i];
        }
        return new Traffic(sumResponses, sumBuckets, latencySumNanos + other.latencySumNanos);
    }

    @Override
    public long[] responses() {
        return responses.clone();
    }

    @Override
    public long[] latencyBuckets() {
        return latencyBuckets.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Traffic that && Arrays.equals(responses, that.responses)
                && Arrays.equals(latencyBuckets, that.latencyBuckets) && latencySumNanos == that.latencySumNanos;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(responses) + Arrays.hashCode(latencyBuckets)) + Long.hashCode(latencySumNanos);
    }

    @Override
    public String toString() {
        return "Traffic[responses=" + Arrays.toString(responses) + ", latencyBuckets=" + Arrays.toString(latencyBuckets)
                + ", latencySumNanos=" + latencySumNanos + "]";
    }
}
