package io.zygotehost.master;

import java.time.Duration;

/** How long to wait before the next spawn of a generation whose processes keep dying young. */
final class Backoff {

    static final Duration FIRST = Duration.ofMillis(500);
    static final Duration MAX = Duration.ofSeconds(30);
    /** A process that dies sooner than this after its start "died young" and counts toward the streak. */
    static final Duration YOUNG = Duration.ofSeconds(10);

    private Backoff() {}

    /** 500ms, 1s, 2s, ... capped at 30s: a crash loop costs at most one JVM start every 30 seconds. */
    static Duration delay(int crashStreak) {
        if (crashStreak <= 0) {
            return Duration.ZERO;
        }
        int doublings = Math.min(crashStreak - 1, 16);
        Duration delay = FIRST.multipliedBy(1L << doublings);
        return delay.compareTo(MAX) > 0 ? MAX : delay;
    }
}
