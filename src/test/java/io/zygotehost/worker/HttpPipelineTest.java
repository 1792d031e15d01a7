package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import io.zygotehost.config.HttpLimits;
import io.zygotehost.metrics.Traffic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The worker's pipeline in memory: what a client sends, what it gets back. Time is EmbeddedChannel's
 * (advanceTimeBy), and a "pool" is a queue of handler runs the test starts when it chooses.
 */
class HttpPipelineTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final long HEADER_TIMEOUT = 10_000;
    private static final long KEEP_ALIVE = 5_000;
    private static final long REQUEST_TIMEOUT = 2_000;

    /** Every exchange the pipeline reported, in order. */
    private final List<Exchange> exchanges = new ArrayList<>();
    private final WorkerStats stats = new WorkerStats(exchanges::add);
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Handler runs submitted to the pool, not yet run. */
    private final Queue<Runnable> pool = new ArrayDeque<>();
    /** Every request the handler saw and every response it returned: to check they are released. */
    private final List<FullHttpRequest> handled = new ArrayList<>();
    private final List<FullHttpResponse> returned = new ArrayList<>();
    private final HttpHandler handler = request -> {
        handled.add(request);
        FullHttpResponse response = Responses.text(HttpResponseStatus.OK, "ok " + request.uri() + "\n");
        returned.add(response);
        return response;
    };

    /** Handlers on the event loop (threads: 0). */
    private EmbeddedChannel channel() {
        return channel(false);
    }

    /** Handlers on the test's pool when {@code pooled}; a 1k body limit, the other limits as the constants say. */
    private EmbeddedChannel channel(boolean pooled) {
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        HttpLimits http = new HttpLimits(HttpLimits.DEFAULT.maxRequestLine(), HttpLimits.DEFAULT.maxHeaderSize(),
                HEADER_TIMEOUT, KEEP_ALIVE);
        channel.pipeline().addLast(new HttpServerInitializer(handler, pooled ? pool::add : null, stats, draining::get,
                new ConnectionLimits(http, 1024, REQUEST_TIMEOUT), new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return channel;
    }

    private static String send(EmbeddedChannel channel, String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        return output(channel);
    }

    /** Runs what is due on the event loop and returns what was written since the last call. */
    private static String output(EmbeddedChannel channel) {
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private static String after(EmbeddedChannel channel, long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        return output(channel);
    }

    private void runPool() {
        for (Runnable run = pool.poll(); run != null; run = pool.poll()) {
            run.run();
        }
    }

    private void assertEverythingReleased(EmbeddedChannel channel) {
        assertFalse(channel.finishAndReleaseAll());
        handled.forEach(request -> assertEquals(0, request.refCnt(), "a request the handler saw is released"));
        returned.forEach(response -> assertEquals(0, response.refCnt(), "a response the handler returned is released"));
    }

    private static void assertRefused(String out, int status, EmbeddedChannel channel) {
        assertTrue(out.startsWith("HTTP/1.1 " + status + " "), out);
        assertTrue(out.toLowerCase().contains("connection: close"), out);
        assertFalse(channel.isOpen(), "the connection closes after a refusal");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        // Two requests in one packet: two answers, the first request's first.
        EmbeddedChannel channel = channel();
        String out = send(channel, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(out.indexOf("ok /a") >= 0 && out.indexOf("ok /a") < out.indexOf("ok /b"), out);
        assertEquals(2, stats.requests.sum());
        assertEquals(0, stats.inFlight.get());
        assertTrue(channel.isOpen());
        assertEverythingReleased(channel);
    }

    @Test
    void garbageGetsA400AndTheConnectionIsClosed() {
        // The decoder cannot go on after garbage: 400, then the connection ends; the request counts.
        EmbeddedChannel channel = channel();
        assertRefused(send(channel, "THIS IS NOT HTTP\r\n\r\n"), 400, channel);
        assertEquals(1, stats.requests.sum());
        assertEverythingReleased(channel);
    }

    @Test
    void anOversizedRequestLineGetsA414() {
        // A request line over 8 KiB; it counts as a request.
        EmbeddedChannel channel = channel();
        assertRefused(send(channel, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, channel);
        assertEquals(1, stats.requests.sum());
        assertEverythingReleased(channel);
    }

    @Test
    void oversizedHeadersGetA431() {
        // Headers over 16 KiB; they count as a request.
        EmbeddedChannel channel = channel();
        assertRefused(send(channel, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"), 431, channel);
        assertEquals(1, stats.requests.sum());
        assertEverythingReleased(channel);
    }

    @Test
    void aBodyOverMaxBodyGetsA413WhateverItsFraming() {
        // Content-Length over the limit, the same expecting 100-continue (no interim 100), and a chunked body
        // that grows past it: a 413 and a close each, counted as one request, and the app never sees them.
        String[] requests = {
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + "x".repeat(2000),
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3e8\r\n" + "x".repeat(1000) + "\r\n3e8\r\n" + "x".repeat(1000) + "\r\n0\r\n\r\n",
        };
        for (String request : requests) {
            stats.requests.reset();
            EmbeddedChannel channel = channel();
            String out = send(channel, request);
            assertRefused(out, 413, channel);
            assertFalse(out.contains("100 Continue"), out);
            assertEquals(1, stats.requests.sum());
            assertEverythingReleased(channel);
        }
        assertTrue(handled.isEmpty());
    }

    @Test
    void aRefusalWaitsForTheResponsesBeforeIt() {
        // A request in the handler, then an oversized one pipelined behind it: the 200 first, then the 413.
        EmbeddedChannel channel = channel(true);
        String out = send(channel, GET + "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
        assertEquals("", out, "nothing is answered before the first response");
        runPool();
        out = output(channel);
        assertTrue(out.startsWith("HTTP/1.1 200 OK") && out.indexOf("HTTP/1.1 413 ") > 0, out);
        assertFalse(channel.isOpen());
        assertEquals(2, stats.requests.sum());
        assertEverythingReleased(channel);
    }

    @Test
    void aSlowHeadGetsA408() {
        // Slowloris: the head trickles in, never complete; header_timeout after its first byte: 408 and close.
        EmbeddedChannel channel = channel();
        assertEquals("", send(channel, "GET / HTTP/1.1\r\nHo"));
        assertEquals("", after(channel, KEEP_ALIVE + 1), "a head on its way is not idle: the keep-alive timeout waits");
        assertTrue(channel.isOpen());
        assertEquals("", send(channel, "st: x\r\nX-A: 1\r\n"));
        assertRefused(after(channel, HEADER_TIMEOUT - KEEP_ALIVE), 408, channel);
        assertEquals(1, stats.requests.sum());
        assertEverythingReleased(channel);
    }

    @Test
    void anIdleKeepAliveConnectionGetsNo408ButClosesAfterKeepAliveTimeout() {
        // After a complete request, silence is keep-alive idleness: no 408, a quiet close at keep_alive_timeout.
        EmbeddedChannel channel = channel();
        assertTrue(send(channel, GET).startsWith("HTTP/1.1 200 OK"));
        assertEquals("", after(channel, KEEP_ALIVE - 1000));
        assertTrue(channel.isOpen());
        assertEquals("", after(channel, 1000), "closed without a word");
        assertFalse(channel.isOpen());
        assertEquals(1, stats.requests.sum());
        assertEverythingReleased(channel);
    }

    @Test
    void aHeadThatCompletesInTimeIsServed() {
        // A head sent in three parts within header_timeout is an ordinary request, and its clock stops.
        EmbeddedChannel channel = channel();
        send(channel, "GET / HT");
        after(channel, 4000);
        send(channel, "TP/1.1\r\nHost");
        after(channel, 4000);
        assertTrue(send(channel, ": x\r\n\r\n").startsWith("HTTP/1.1 200 OK"));
        assertEquals("", after(channel, 4000), "no 408 once the head is in");
        assertTrue(channel.isOpen());
        assertEverythingReleased(channel);
    }

    @Test
    void aHandlerPastRequestTimeoutGets503AndItsLateResponseIsDropped() {
        // The handler on the pool does not return: at request_timeout the client gets a 503 and the connection
        // closes; the handler counts as stuck, not in flight. When it returns at last, its response is dropped.
        Logger logger = (Logger) LoggerFactory.getLogger(RequestDispatcher.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            EmbeddedChannel channel = channel(true);
            assertEquals("", send(channel, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(1, stats.inFlight.get());
            assertEquals("", after(channel, REQUEST_TIMEOUT - 1));
            assertRefused(after(channel, 1), 503, channel);
            assertEquals(0, stats.inFlight.get());
            assertEquals(1, stats.stuck.get());
            assertEquals(1, log.list.size());
            String line = log.list.getFirst().getFormattedMessage();
            assertTrue(line.contains("GET /slow") && line.contains(REQUEST_TIMEOUT + " ms"), line);

            runPool(); // the handler returns at last
            assertEquals("", output(channel));
            assertEquals(0, stats.stuck.get());
            assertEquals(1, stats.requests.sum());
            assertEverythingReleased(channel);
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aHandlerWithinRequestTimeoutIsAnsweredAndItsTimerStopped() {
        // A handler that returns in time: a 200, and nothing happens at request_timeout.
        EmbeddedChannel channel = channel(true);
        send(channel, GET);
        runPool();
        assertTrue(output(channel).startsWith("HTTP/1.1 200 OK"));
        assertEquals("", after(channel, REQUEST_TIMEOUT));
        assertTrue(channel.isOpen());
        assertEquals(0, stats.stuck.get());
        assertEquals(0, stats.inFlight.get());
        assertEverythingReleased(channel);
    }

    @Test
    void aHalfClosedClientGetsItsResponsesThenTheConnectionCloses() {
        // Two pipelined requests, then the client shuts down its sending side while the first is in the handler:
        // both are answered, in order, and then the connection closes.
        EmbeddedChannel channel = channel(true);
        send(channel, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertTrue(channel.isOpen(), "requests are still due");
        runPool();
        String first = output(channel);
        runPool();
        String out = first + output(channel);
        assertEquals(2, out.split("HTTP/1.1 200 OK", -1).length - 1, out);
        assertTrue(out.indexOf("ok /a") >= 0 && out.indexOf("ok /a") < out.indexOf("ok /b"), "both, in order:\n" + out);
        assertFalse(channel.isOpen());
        assertEquals(0, stats.inFlight.get());
        assertEverythingReleased(channel);
    }

    @Test
    void aHalfClosedIdleConnectionClosesAtOnce() {
        // Nothing is due: the end of the client's input ends the connection.
        EmbeddedChannel channel = channel();
        assertTrue(send(channel, GET).startsWith("HTTP/1.1 200 OK"));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        output(channel);
        assertFalse(channel.isOpen());
        assertEverythingReleased(channel);
    }

    @Test
    void aDrainingWorkerAnswersWithConnectionClose() {
        // Once draining, the response tells the client to take its next request elsewhere.
        EmbeddedChannel channel = channel();
        draining.set(true);
        String out = send(channel, GET);
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out);
        assertTrue(out.toLowerCase().contains("connection: close"), out);
        assertFalse(channel.isOpen());
        assertEverythingReleased(channel);
    }

    @Test
    void everyAnswerIsReportedWithItsRequestAndNoCredentials() {
        // Pipelined: the app's 200 and the worker's own 413 are each paired with their own request.
        EmbeddedChannel channel = channel();
        String out = send(channel, "GET /a?q=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic c2VjcmV0\r\n"
                + "Cookie: session=secret\r\nReferer: http://r/\r\nUser-Agent: t/1\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n");
        assertTrue(out.contains("413"), out);
        assertEquals(2, exchanges.size(), exchanges.toString());
        Exchange first = exchanges.get(0);
        assertEquals(List.of("GET", "/a?q=1", "HTTP/1.1"), List.of(first.method(), first.uri(), first.protocol()));
        assertEquals(200, first.status());
        assertEquals("ok /a?q=1\n".length(), first.bytes());
        assertEquals("http://r/", first.referer());
        assertEquals("t/1", first.userAgent());
        assertFalse(first.toString().contains("secret"), "credentials never reach an exchange: " + first);
        Exchange second = exchanges.get(1);
        assertEquals(List.of("POST", "/b", "HTTP/1.1"), List.of(second.method(), second.uri(), second.protocol()));
        assertEquals(413, exchanges.get(1).status());
        assertEverythingReleased(channel);
    }

    @Test
    void everyAnswerIsCountedByStatusClassTheWorkersRefusalsToo() {
        // Two 200s and a 413 on one connection, a 400 for garbage on another: four responses, four latencies.
        EmbeddedChannel channel = channel();
        send(channel, GET + GET + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n");
        EmbeddedChannel garbage = channel();
        assertTrue(send(garbage, "\u0001\u0002 nonsense\r\n\r\n").startsWith("HTTP/1.1 400"));
        Traffic traffic = stats.traffic.snapshot();
        assertEquals(List.of(0L, 2L, 0L, 2L, 0L), Arrays.stream(traffic.responses()).boxed().toList());
        assertEquals(4, Arrays.stream(traffic.latencyBuckets()).sum());
        assertEverythingReleased(channel);
        assertEverythingReleased(garbage);
    }

    @Test
    void aHeadThatNeverEndsIsReportedWithoutARequestLine() {
        // The 408 answers no decoded head: the log still gets its line.
        EmbeddedChannel channel = channel();
        send(channel, "GET / HTTP/1.1\r\nHost: x\r\n");
        assertTrue(after(channel, HEADER_TIMEOUT + 1).startsWith("HTTP/1.1 408"));
        assertEquals(1, exchanges.size(), exchanges.toString());
        Exchange headless = exchanges.get(0);
        assertEquals(Arrays.asList(null, null, null), Arrays.asList(headless.method(), headless.uri(), headless.protocol()));
        assertEquals(408, exchanges.get(0).status());
        assertEverythingReleased(channel);
    }
}
