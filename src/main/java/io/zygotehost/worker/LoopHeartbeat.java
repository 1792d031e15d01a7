package io.zygotehost.worker;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * The heartbeat proves that every event loop of the worker answers, not just one: each beat gives
 * every loop a tick to run, and the heartbeat is sent only when every loop ran its previous tick. A
 * handler that blocks a loop (threads: 0) thus silences the worker, and the master kills it after
 * {@code timeout}. A stuck loop gets no new tick until it has run the old one, so none pile up.
 */
final class LoopHeartbeat {

    private static final Runnable TICK = () -> {};

    private final List<EventExecutor> loops;
    private final Future<?>[] ticks;
    private final Runnable send;

    LoopHeartbeat(List<EventExecutor> loops, Runnable send) {
        this.loops = List.copyOf(loops);
        this.ticks = new Future<?>[this.loops.size()];
        this.send = send;
    }

    /** Called once a second, always by the same thread. */
    void beat() {
        boolean allRan = true;
        for (int i = 0; i < ticks.length; i++) {
            if (ticks[i] != null && !ticks[i].isDone()) {
                allRan = false;
                continue;
            }
            try {
                ticks[i] = loops.get(i).submit(TICK);
            } catch (RejectedExecutionException shutDown) {
                allRan = false; // the worker is exiting
            }
        }
        if (allRan) {
            send.run();
        }
    }
}
