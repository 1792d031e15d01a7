package io.zygotehost.worker;

import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.config.Warmup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new worker's warm-up: before it accepts on the app's socket, it sends itself the app's
 * {@code warmup} requests, one after the other, through {@link WarmupConnection}s carrying the very
 * pipeline of a real connection and the app's handler on the same pool, so the JIT compiles the path
 * real requests take before the first user does. Responses are discarded. Warm-up requests count in
 * a {@link WarmupStats} of their own, never in the worker's (they do not bring it closer to
 * max_requests), and reach no log one by one: failures (no response, or a status of 400 and up) are
 * told once, with their count and the first.
 *
 * <p>Bounded: it runs on a thread of its own, and the worker goes on to serve after {@code limit}
 * whatever the warm-up is doing; a handler call still running then finishes in the background.
 */
final class SelfWarmup {

    private static final Logger log = LoggerFactory.getLogger("worker");

    private final Warmup warmup;
    private final Duration limit;
    private final String label;
    private final byte[] request;
    /** Made by {@link #run} when there are requests to send: its rehearsal log has a thread of its own. */
    private WarmupStats stats;
    // Written by the warm-up thread, read by the worker's main thread after the join (or at the limit).
    private volatile int sent;
    private volatile int failed;
    private volatile String firstFailure;

    /** @param label names the worker in the log line */
    SelfWarmup(Warmup warmup, Duration limit, String label) {
        this.warmup = warmup;
        this.limit = limit;
        this.label = label;
        // Plain HTTP/1.1 keep-alive, as a browser or a proxy would send it; the User-Agent lets an app tell warm-ups apart.
        this.request = ("GET " + warmup.path() + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: zygote-host-warmup\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Warms up the handler through the pipeline real connections get (same handler, pool, draining flag
     * and limits), then logs the outcome. Returns when done, or at the limit.
     *
     * @param pool the handler threads; null runs the handler on the event loop, here the warm-up thread
     */
    void run(HttpHandler handler, Executor pool, BooleanSupplier draining, ConnectionLimits limits)
            throws InterruptedException {
        if (warmup.requests() == 0) {
            return;
        }
        stats = new WarmupStats();
        HandOff handOff = pool == null ? null : new HandOff(pool);
        HttpServerInitializer pipeline = new HttpServerInitializer(handler, handOff, stats, draining, limits,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Thread thread = Thread.ofPlatform().name("warmup").daemon(true).unstarted(() -> send(pipeline, handOff, deadline));
        thread.start();
        thread.join(limit);
        stats.close();
        report(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), thread.isAlive() || sent < warmup.requests());
    }

    /** On the warm-up thread: the requests, one at a time; a closed connection (a 503, Connection: close) is replaced. */
    private void send(HttpServerInitializer pipeline, HandOff handOff, long deadline) {
        WarmupConnection connection = null;
        try {
            while (sent < warmup.requests() && System.nanoTime() < deadline) {
                if (connection == null || !connection.isOpen()) {
                    if (connection != null) {
                        connection.close();
                    }
                    connection = new WarmupConnection(pipeline, handOff);
                }
                int status = connection.exchange(request, deadline);
                sent++;
                if (status == WarmupConnection.NO_RESPONSE || status >= 400) {
                    failed++;
                    if (firstFailure == null) {
                        firstFailure = status == WarmupConnection.NO_RESPONSE ? "no response" : "answered " + status;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException broken) {
            // Not the app's failure (the dispatcher turns those into 500s) but the warm-up's own: the worker serves anyway.
            failed++;
            firstFailure = firstFailure == null ? "the warm-up broke: " + broken : firstFailure;
            log.warn("{} warm-up broke", label, broken);
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private void report(long millis, boolean cutShort) {
        String what = warmup.requests() + " requests to " + warmup.path();
        if (cutShort) {
            log.warn("{} warm-up stopped at its limit of {} ms after {} of its {}; serving",
                    label, limit.toMillis(), sent, what);
        }
        if (failed > 0) {
            log.warn("{} warm-up: {} of {} requests to {} failed, the first {}; serving anyway", label, failed, sent,
                    warmup.path(), firstFailure, stats.firstFailure());
        } else if (!cutShort) {
            log.info("{} warmed up: {} in {} ms", label, what, millis);
        }
    }

    /** Warm-up requests sent so far, and how many of them failed: for tests. */
    int sent() {
        return sent;
    }

    int failed() {
        return failed;
    }

    /** The warm-up's own counters; null before a run that had requests to send. */
    WarmupStats stats() {
        return stats;
    }
}
