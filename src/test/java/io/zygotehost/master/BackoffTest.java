package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void theDelayDoublesFromHalfASecondAndStopsAtThirtySeconds() {
        // A crash loop slows down fast and never waits longer than 30s between tries.
        assertEquals(Duration.ZERO, Backoff.delay(0));
        assertEquals(Duration.ofMillis(500), Backoff.delay(1));
        assertEquals(Duration.ofSeconds(1), Backoff.delay(2));
        assertEquals(Duration.ofSeconds(16), Backoff.delay(6));
        assertEquals(Duration.ofSeconds(30), Backoff.delay(7));
        assertEquals(Duration.ofSeconds(30), Backoff.delay(1000));
    }
}
