package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WarmupStatsTest {

    @Test
    void answersAreMeteredAndLoggedIntoNothingAndTheLogsThreadEndsAtClose() throws Exception {
        Set<Thread> before = accessLogThreads();
        WarmupStats stats = new WarmupStats();
        Set<Thread> writer = accessLogThreads();
        writer.removeAll(before);
        assertEquals(1, writer.size(), "the rehearsal log has a writer, as the real one: the same code");
        for (int i = 0; i < 3; i++) {
            stats.answered(new Exchange("127.0.0.1", "GET", "/", "HTTP/1.1", 200, 3, "-", "zygote-host-warmup",
                    System.currentTimeMillis(), 12_000));
        }
        assertEquals(3, stats.traffic.snapshot().responses(2));
        stats.close();
        Thread thread = writer.iterator().next();
        thread.join(5_000);
        assertFalse(thread.isAlive(), "the rehearsal log's writer ends when the warm-up does");
    }

    private static Set<Thread> accessLogThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("access-log"))
                .collect(Collectors.toCollection(HashSet::new));
    }
}
