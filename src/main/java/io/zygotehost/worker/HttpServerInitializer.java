package io.zygotehost.worker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.zygotehost.api.HttpHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The pipeline of one connection. */
final class HttpServerInitializer extends ChannelInitializer<Channel> {

    private final HttpHandler handler;
    private final Executor pool;
    private final WorkerStats stats;
    private final BooleanSupplier draining;
    private final ConnectionLimits limits;
    private final ChannelGroup connections;
    private final SslContext tls;

    /** @param pool runs the handler; null runs it on the event loop (threads: 0) */
    HttpServerInitializer(HttpHandler handler, Executor pool, WorkerStats stats, BooleanSupplier draining,
            ConnectionLimits limits, ChannelGroup connections) {
        this(handler, pool, stats, draining, limits, connections, null);
    }

    /** @param tls the port speaks HTTPS with this; null: plain HTTP */
    HttpServerInitializer(HttpHandler handler, Executor pool, WorkerStats stats, BooleanSupplier draining,
            ConnectionLimits limits, ChannelGroup connections, SslContext tls) {
        this.handler = handler;
        this.pool = pool;
        this.stats = stats;
        this.draining = draining;
        this.limits = limits;
        this.connections = connections;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel channel) {
        connections.add(channel);
        RequestHeads heads = new RequestHeads(limits.http().headerTimeoutMillis(), stats);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.http().maxRequestLine())
                .setMaxHeaderSize(limits.http().maxHeaderSize());
        if (tls != null) {
            // Before all: everything after it sees the plain bytes, the handshake must be done within header_timeout.
            channel.pipeline().addLast(new TlsOrRefusal(tls, limits.http().headerTimeoutMillis()));
        }
        channel.pipeline()
                // First of the HTTP handlers, so that it sees every byte: the keep-alive timeout of a connection idle between requests.
                .addLast(new IdleStateHandler(0, 0, limits.http().keepAliveTimeoutMillis(), TimeUnit.MILLISECONDS))
                .addLast(heads.bytes())
                .addLast(new HttpServerCodec(decoder))
                .addLast(new ExchangeRecorder(stats))
                .addLast(heads.decoded())
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(new BodyLimit(limits.maxBody()))
                .addLast(new RequestDispatcher(handler, pool, limits.requestTimeoutMillis(), stats, draining));
    }
}
