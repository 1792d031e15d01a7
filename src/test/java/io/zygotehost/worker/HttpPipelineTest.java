package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zygotehost.api.Responses;
import io.zygotehost.config.HttpLimits;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The worker's pipeline in memory: what a client sends, what it gets back. */
class HttpPipelineTest {

    private final WorkerStats stats = new WorkerStats();
    private final AtomicBoolean draining = new AtomicBoolean();

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(new HttpServerInitializer(
                request -> Responses.text(HttpResponseStatus.OK, "ok " + request.uri() + "\n"),
                null, stats, draining::get, new ConnectionLimits(HttpLimits.DEFAULT, 1024, 60_000),
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return channel;
    }

    private static String send(EmbeddedChannel channel, String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
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
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void garbageGetsA400AndTheConnectionIsClosed() {
        // The decoder cannot go on after garbage: 400, then the connection ends.
        EmbeddedChannel channel = channel();
        String out = send(channel, "THIS IS NOT HTTP\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 400 Bad Request"), out);
        assertTrue(out.toLowerCase().contains("connection: close"), out);
        channel.finishAndReleaseAll();
    }

    @Test
    void anOversizedRequestLineGetsA414() {
        // A request line over 8 KiB.
        EmbeddedChannel channel = channel();
        String out = send(channel, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 414 "), out);
        channel.finishAndReleaseAll();
    }

    @Test
    void oversizedHeadersGetA431() {
        // Headers over 16 KiB.
        EmbeddedChannel channel = channel();
        String out = send(channel, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 431 "), out);
        channel.finishAndReleaseAll();
    }

    @Test
    void aDrainingWorkerAnswersWithConnectionClose() {
        // Once draining, the response tells the client to take its next request elsewhere.
        EmbeddedChannel channel = channel();
        draining.set(true);
        String out = send(channel, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out);
        assertTrue(out.toLowerCase().contains("connection: close"), out);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }
}
