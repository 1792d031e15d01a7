package io.zygotehost.worker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.zygotehost.api.HttpHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The pipeline of one connection. */
final class HttpServerInitializer extends ChannelInitializer<Channel> {

    static final int MAX_INITIAL_LINE = 8192;
    static final int MAX_HEADER_SIZE = 16384;
    static final int KEEP_ALIVE_IDLE_SECONDS = 5;

    private final HttpHandler handler;
    private final Executor executor;
    private final WorkerStats stats;
    private final BooleanSupplier draining;
    private final int maxBody;
    private final ChannelGroup connections;

    HttpServerInitializer(HttpHandler handler, Executor executor, WorkerStats stats, BooleanSupplier draining,
            long maxBody, ChannelGroup connections) {
        this.handler = handler;
        this.executor = executor;
        this.stats = stats;
        this.draining = draining;
        this.maxBody = (int) Math.min(maxBody, Integer.MAX_VALUE);
        this.connections = connections;
    }

    @Override
    protected void initChannel(Channel channel) {
        connections.add(channel);
        channel.pipeline()
                .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192))
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(new HttpObjectAggregator(maxBody))
                .addLast(new IdleStateHandler(0, 0, KEEP_ALIVE_IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast(new RequestDispatcher(handler, executor, stats, draining));
    }
}
