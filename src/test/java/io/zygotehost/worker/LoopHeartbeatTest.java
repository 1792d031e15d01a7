package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The heartbeat speaks for every event loop: one stuck loop silences it. */
class LoopHeartbeatTest {

    private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(3);
    private final List<EventExecutor> loops = new ArrayList<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final LoopHeartbeat heartbeat;

    LoopHeartbeatTest() {
        group.forEach(loops::add);
        heartbeat = new LoopHeartbeat(loops, sent::incrementAndGet);
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Waits until every loop has run what was submitted to it so far (each runs its tasks in order). */
    private void settle(List<EventExecutor> which) throws Exception {
        for (EventExecutor loop : which) {
            loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyLoopAnsweringMeansAHeartbeatEachBeat() throws Exception {
        // Three free loops: every beat sends.
        for (int i = 0; i < 3; i++) {
            heartbeat.beat();
            settle(loops);
        }
        assertEquals(3, sent.get());
    }

    @Test
    void oneBlockedLoopSilencesTheHeartbeatUntilItRunsAgain() throws Exception {
        // A handler blocks the second loop (threads: 0): no heartbeat while it does, whatever the others do;
        // once it is free, heartbeats resume.
        heartbeat.beat();
        settle(loops);
        assertEquals(1, sent.get());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loops.get(1).execute(() -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocked.await(5, TimeUnit.SECONDS));
        heartbeat.beat(); // the previous ticks all ran: this one still sends, and leaves a tick behind the block
        for (int i = 0; i < 5; i++) {
            settle(List.of(loops.get(0), loops.get(2)));
            heartbeat.beat();
        }
        assertEquals(2, sent.get(), "silent while a loop is stuck");
        release.countDown();
        settle(loops);
        heartbeat.beat();
        assertEquals(3, sent.get(), "heard again once the loop is free");
    }
}
