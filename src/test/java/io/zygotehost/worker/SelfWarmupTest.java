package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import io.zygotehost.config.HttpLimits;
import io.zygotehost.config.Warmup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A worker's warm-up, in memory: its requests go through the real pipeline to the handler, and nothing it does holds the start. */
class SelfWarmupTest {

    private static final ConnectionLimits LIMITS = new ConnectionLimits(HttpLimits.DEFAULT, 1 << 20, 60_000);
    private static final Duration LIMIT = Duration.ofSeconds(10);
    /** Long enough for a loaded machine to reach the first handler call. */
    private static final Duration HANG_LIMIT = Duration.ofSeconds(1);

    private final ExecutorService pool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("handler-", 1).factory());
    /** Every request the handler saw and every response it returned: to check they are released. */
    private final List<FullHttpRequest> seen = new CopyOnWriteArrayList<>();
    private final List<FullHttpResponse> returned = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger workerLog = (Logger) LoggerFactory.getLogger("worker");
    private final Logger dispatcherLog = (Logger) LoggerFactory.getLogger(RequestDispatcher.class);
    /** Handlers that hang wait on this; the test's end lets them go. */
    private final CountDownLatch hung = new CountDownLatch(1);

    @BeforeEach
    void captureLogs() {
        log.start();
        workerLog.addAppender(log);
        dispatcherLog.addAppender(log);
    }

    @AfterEach
    void release() {
        workerLog.detachAppender(log);
        dispatcherLog.detachAppender(log);
        hung.countDown();
        pool.shutdownNow();
    }

    /** A handler that answers {@code status} and records what it saw. */
    private HttpHandler answering(HttpResponseStatus status) {
        return request -> {
            seen.add(request.retain()); // kept past the call to check the host released it
            threads.add(Thread.currentThread().getName());
            FullHttpResponse response = Responses.text(status, "ok\n");
            returned.add(response);
            return response;
        };
    }

    private static SelfWarmup warmup(int requests, Duration limit) {
        return new SelfWarmup(new Warmup("/warm?x=1", requests), limit, "hello@v1 #1");
    }

    private List<String> lines(Level level) {
        return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private void assertReleased() {
        seen.forEach(request -> assertEquals(1, request.refCnt(), "the host released its reference to the request"));
        seen.forEach(FullHttpRequest::release);
        returned.forEach(response -> assertEquals(0, response.refCnt(), "the response was written and released"));
    }

    @Test
    void requestsReachTheHandlerOnTheEventLoopWithoutCountingForTheWorker() throws Exception {
        // threads: 0. Fifty warm-up requests: fifty handler calls with the configured path; the counting
        // happens in the warm-up's own stats, which the worker's heartbeat never reads.
        SelfWarmup warmup = warmup(50, LIMIT);
        warmup.run(answering(HttpResponseStatus.OK), null, () -> false, LIMITS);
        assertEquals(50, seen.size());
        seen.forEach(request -> assertEquals("/warm?x=1", request.uri()));
        assertEquals("zygote-host-warmup", seen.getFirst().headers().get(HttpHeaderNames.USER_AGENT));
        assertEquals(50, warmup.sent());
        assertEquals(0, warmup.failed());
        assertEquals(50, warmup.stats().requests.sum());
        assertEquals(0, warmup.stats().inFlight.get());
        // The code each real answer runs after its response ran too, into the warm-up's own meter (and a log of nowhere).
        assertEquals(50, warmup.stats().traffic.snapshot().responses(2));
        assertTrue(threads.stream().allMatch("warmup"::equals), threads.toString());
        assertEquals(1, lines(Level.INFO).size());
        assertTrue(lines(Level.INFO).getFirst().startsWith("hello@v1 #1 warmed up: 50 requests to /warm?x=1 in "),
                lines(Level.INFO).toString());
        assertReleased();
    }

    @Test
    void withThreadsTheHandlerRunsOnThePool() throws Exception {
        // threads: 2. The handler runs on the worker's pool threads, as for real connections, and every
        // response comes back through the embedded channel's loop.
        SelfWarmup warmup = warmup(40, LIMIT);
        warmup.run(answering(HttpResponseStatus.OK), pool, () -> false, LIMITS);
        assertEquals(40, seen.size());
        assertTrue(threads.stream().allMatch(name -> name.startsWith("handler-")), threads.toString());
        assertEquals(40, warmup.sent());
        assertEquals(0, warmup.failed());
        assertEquals(0, warmup.stats().inFlight.get());
        assertReleased();
    }

    @Test
    void failuresAreToldOnceAndDoNotStopTheWorker() throws Exception {
        // A handler that throws on every other request: each gets a 500 inside the warm-up, none is
        // logged on its own; one line tells the count and the first failure, with its stack trace.
        AtomicInteger calls = new AtomicInteger();
        HttpHandler flaky = request -> {
            if (calls.incrementAndGet() % 2 == 0) {
                throw new IllegalStateException("boom " + calls.get());
            }
            return Responses.text(HttpResponseStatus.OK, "ok\n");
        };
        SelfWarmup warmup = warmup(20, LIMIT);
        warmup.run(flaky, pool, () -> false, LIMITS);
        assertEquals(20, calls.get());
        assertEquals(20, warmup.sent());
        assertEquals(10, warmup.failed());
        assertEquals(List.of(), lines(Level.ERROR), "no per-request error line");
        List<String> warnings = lines(Level.WARN);
        assertEquals(List.of("hello@v1 #1 warm-up: 10 of 20 requests to /warm?x=1 failed, the first answered 500; serving anyway"),
                warnings);
        ILoggingEvent line = log.list.stream().filter(e -> e.getLevel() == Level.WARN).findFirst().orElseThrow();
        assertEquals("boom 2", line.getThrowableProxy().getMessage());
    }

    @Test
    void serverErrorsCountAsFailures() throws Exception {
        SelfWarmup warmup = warmup(5, LIMIT);
        warmup.run(answering(HttpResponseStatus.SERVICE_UNAVAILABLE), null, () -> false, LIMITS);
        assertEquals(5, warmup.failed());
        assertEquals(List.of("hello@v1 #1 warm-up: 5 of 5 requests to /warm?x=1 failed, the first answered 503; serving anyway"),
                lines(Level.WARN));
        assertReleased();
    }

    @Test
    void aClosedConnectionIsReplaced() throws Exception {
        // A handler whose every response closes its connection still gets every warm-up request.
        HttpHandler closing = request -> {
            seen.add(request.retain());
            FullHttpResponse response = Responses.text(HttpResponseStatus.OK, "bye\n");
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            returned.add(response);
            return response;
        };
        SelfWarmup warmup = warmup(10, LIMIT);
        warmup.run(closing, null, () -> true, LIMITS); // draining too: Connection: close on every response
        assertEquals(10, seen.size());
        assertEquals(0, warmup.failed());
        assertReleased();
    }

    @Test
    void aHandlerOnThePoolThatHangsDoesNotHoldTheStart() throws Exception {
        // The first call never returns: the warm-up gives up at its limit and the worker serves.
        AtomicInteger calls = new AtomicInteger();
        warmupThatHangs(pool, calls);
        assertEquals(1, calls.get());
        assertEquals(List.of("hello@v1 #1 warm-up stopped at its limit of 1000 ms after 1 of its 10 requests to /warm?x=1; serving",
                "hello@v1 #1 warm-up: 1 of 1 requests to /warm?x=1 failed, the first no response; serving anyway"), lines(Level.WARN));
    }

    @Test
    void aHandlerOnTheEventLoopThatHangsDoesNotHoldTheStart() throws Exception {
        // threads: 0, where the handler runs on the warm-up thread itself: the worker stops waiting at the limit.
        AtomicInteger calls = new AtomicInteger();
        warmupThatHangs(null, calls);
        assertEquals(1, calls.get());
        assertEquals(List.of("hello@v1 #1 warm-up stopped at its limit of 1000 ms after 0 of its 10 requests to /warm?x=1; serving"),
                lines(Level.WARN));
    }

    /** Ten warm-up requests to a handler whose first call never returns (until the test ends): it must give up at the limit. */
    private void warmupThatHangs(Executor pool, AtomicInteger calls) throws InterruptedException {
        HttpHandler hangs = request -> {
            calls.incrementAndGet();
            hung.await();
            return Responses.text(HttpResponseStatus.OK, "ok\n");
        };
        long start = System.nanoTime();
        warmup(10, HANG_LIMIT).run(hangs, pool, () -> false, LIMITS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= HANG_LIMIT.toMillis() && millis < HANG_LIMIT.toMillis() + 2_000, millis + " ms");
    }

    @Test
    void noRequestsNoWarmup() throws Exception {
        SelfWarmup warmup = warmup(0, LIMIT);
        warmup.run(answering(HttpResponseStatus.OK), null, () -> false, LIMITS);
        assertEquals(0, seen.size());
        assertEquals(List.of(), log.list);
    }
}
