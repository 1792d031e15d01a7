package io.zygotehost.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zygotehost.api.Responses;
import io.zygotehost.config.HttpLimits;
import io.zygotehost.ipc.TlsFiles;
import io.zygotehost.tls.PemCredentials;
import io.zygotehost.tls.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's pipeline with TLS on, in memory: a TLS client is served, a plain HTTP one is told to use https. */
class TlsPipelineTest {

    @TempDir
    Path dir;

    private final WorkerStats stats = new WorkerStats();
    private TestCertificates.Pair pair;
    private WorkerTls tls;

    @BeforeEach
    void certificate() throws Exception {
        pair = TestCertificates.selfSigned(dir, "site", "localhost");
        tls = WorkerTls.of(new TlsFiles(pair.cert(), pair.key(), "test"));
    }

    private EmbeddedChannel server() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(new HttpServerInitializer(
                request -> Responses.text(HttpResponseStatus.OK, "hello over " + request.uri() + "\n"), null, stats,
                new AtomicBoolean()::get, new ConnectionLimits(HttpLimits.DEFAULT, 1024, 2_000),
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), tls.server()));
        channel.register();
        return channel;
    }

    @Test
    void aTlsClientIsServedThroughTheWholePipeline() throws Exception {
        // A client trusting exactly this certificate: the handshake, then a GET, its answer from the handler.
        EmbeddedChannel server = server();
        SslHandler clientTls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(PemCredentials.read(pair.cert(), pair.key()).chain().getFirst()).build()
                .newHandler(server.alloc(), "localhost", 443);
        EmbeddedChannel client = new EmbeddedChannel(clientTls, new HttpClientCodec(), new HttpObjectAggregator(1 << 16));
        pump(client, server);
        assertTrue(clientTls.handshakeFuture().isSuccess(), "handshake: " + clientTls.handshakeFuture().cause());

        client.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/tls"));
        pump(client, server);
        FullHttpResponse response = client.readInbound();
        assertNotNull(response, "a response came back");
        assertEquals(200, response.status().code());
        assertEquals("hello over /tls\n", response.content().toString(StandardCharsets.UTF_8));
        response.release();
        assertEquals(1, stats.requests.sum());

        client.finishAndReleaseAll();
        server.close(); // its close_notify is the last thing it writes
        for (ByteBuf closeNotify = server.readOutbound(); closeNotify != null; closeNotify = server.readOutbound()) {
            closeNotify.release();
        }
        assertFalse(server.finishAndReleaseAll());
    }

    @Test
    void plainHttpToTheTlsPortGetsA400SayingSoAndTheConnectionCloses() throws Exception {
        EmbeddedChannel server = server();
        server.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.ISO_8859_1));
        server.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf = server.readOutbound(); buf != null; buf = server.readOutbound()) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        assertTrue(out.toString().startsWith("HTTP/1.1 400 Bad Request\r\n"), out.toString());
        assertTrue(out.toString().toLowerCase().contains("connection: close"), out.toString());
        assertTrue(out.toString().endsWith("This port speaks HTTPS: the request was sent in plain HTTP. Use https://.\n"),
                out.toString());
        assertFalse(server.isOpen(), "closed after the answer");
        assertEquals(0, stats.requests.sum(), "not a request of the app's");
        assertFalse(server.finishAndReleaseAll());
    }

    /** Moves bytes between the two until neither has anything more to say. */
    private static void pump(EmbeddedChannel client, EmbeddedChannel server) {
        for (boolean moved = true; moved; ) {
            moved = false;
            client.runPendingTasks();
            for (Object out = client.readOutbound(); out != null; out = client.readOutbound()) {
                server.writeInbound(out);
                moved = true;
            }
            server.runPendingTasks();
            for (Object out = server.readOutbound(); out != null; out = server.readOutbound()) {
                client.writeInbound(out);
                moved = true;
            }
        }
    }
}
