package io.zygotehost.worker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zygotehost.api.HttpHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A worker's Netty server on the listening socket it inherited from the master. */
final class HttpServer {

    private final EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventLoopGroup loops =
            new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), EpollIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel listener;

    /** Starts accepting: the socket is already bound and listening in the master, so registering is all. */
    void start(int listenFd, HttpHandler handler, Executor executor, WorkerStats stats, BooleanSupplier draining,
            long maxBody) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, loops)
                .channelFactory(() -> new EpollServerSocketChannel(listenFd))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new HttpServerInitializer(handler, executor, stats, draining, maxBody, connections));
        listener = bootstrap.register().sync().channel();
    }

    /**
     * Closes only this worker's copy of the listening fd: the socket stays open in the master and
     * the other workers, so connections still queued on it go to them.
     */
    void stopAccepting() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }

    int openConnections() {
        return connections.size();
    }

    /** The event loop the heartbeat runs on: if it is stuck, the heartbeat stops. */
    EventLoopGroup loops() {
        return loops;
    }

    void shutdown() {
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
