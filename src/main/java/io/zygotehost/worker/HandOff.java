package io.zygotehost.worker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The handler pool as a warm-up's pipeline sees it. A handler call ends by queueing its response to
 * the channel's event loop, and EmbeddedChannel's loop keeps its tasks in a plain ArrayDeque, which
 * two threads must never touch at once. So a call the dispatcher hands over is held until the
 * warm-up thread has let go of the channel ({@link #runHeld}), then runs on the worker's own pool
 * threads while the warm-up thread waits for it.
 *
 * <p>Used by the one warm-up thread: the dispatcher calls {@link #execute} on it, as the channel's loop.
 */
final class HandOff implements Executor {

    private final Executor pool;
    private Runnable held;

    HandOff(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable handlerCall) {
        if (held != null) {
            throw new IllegalStateException("a warm-up sends one request at a time"); // the dispatcher's order guarantees it
        }
        held = handlerCall;
    }

    /** Runs the held handler call, if any, on the pool; false if it has not ended (its response queued) by the deadline. */
    boolean runHeld(long deadlineNanos) throws InterruptedException {
        if (held == null) {
            return true;
        }
        CompletableFuture<Void> call = CompletableFuture.runAsync(held, pool);
        held = null;
        try {
            call.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException stillRunning) {
            return false;
        } catch (ExecutionException unexpected) {
            return true; // the dispatcher's call catches the handler's failures; nothing is left to wait for
        }
    }
}
