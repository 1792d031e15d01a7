package io.zygotehost.worker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.SystemPropertyUtil;
import io.zygotehost.api.HttpHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** A worker's Netty server on the listening socket it inherited from the master. */
final class HttpServer {

    private final EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    /**
     * Netty's own knob, io.netty.eventLoopThreads, which the master sets per app (see ChildCommands) and a
     * user's jvm_options can override; without it, one loop per core.
     */
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(
            SystemPropertyUtil.getInt("io.netty.eventLoopThreads", Runtime.getRuntime().availableProcessors()),
            EpollIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private ServerBootstrap bootstrap;
    /** The pipeline of a connection, for the counters given: the worker's, or a warm-up's of its own. */
    private Function<WorkerStats, HttpServerInitializer> pipeline;
    private Channel listener;
    /** Null without TLS. */
    private WorkerTls tls;

    /**
     * Builds what serves connections; none is accepted before {@link #accept}. A spare stops here until activated.
     *
     * @param tls the app's port speaks HTTPS, and so does {@link #serveToItself}; null: plain HTTP
     */
    void prepare(HttpHandler handler, Executor pool, WorkerStats stats, BooleanSupplier draining, ConnectionLimits limits,
            WorkerTls tls) {
        this.tls = tls;
        pipeline = counters -> new HttpServerInitializer(handler, pool, counters, draining, limits,
                counters == stats ? connections : new DefaultChannelGroup(GlobalEventExecutor.INSTANCE),
                tls == null ? null : tls.server());
        bootstrap = new ServerBootstrap()
                .group(acceptor, loops)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that shuts down its sending side after its request still gets the response:
                // RequestDispatcher closes once it is written, instead of Netty at the end of input.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(pipeline.apply(stats));
    }

    /**
     * Starts every event loop's thread (Netty starts one with its first task) and registers and
     * closes a throwaway server channel, so that {@link #accept} finds its classes loaded and its
     * threads running: a spare's activation then takes milliseconds, not the hundreds a cold
     * registration costs.
     */
    void warmAcceptPath() {
        eventLoops().forEach(loop -> loop.submit(() -> { }).syncUninterruptibly());
        Channel throwaway = bootstrap.clone().channel(EpollServerSocketChannel.class).register().syncUninterruptibly().channel();
        throwaway.close().syncUninterruptibly();
    }

    /**
     * Serves {@code count} GETs of {@code path} to itself through a private loopback port, so that
     * the socket path (epoll, a real connection's buffers, the codec) is loaded and compiled too: the
     * AOT training, and a spare's second warm-up. They go through a pipeline with counters of their
     * own ({@link WarmupStats}): the worker's requests and open connections stay untouched. With
     * TLS on, over TLS: the handshake and the record layer are the first things a real client costs.
     *
     * @return how many answers had each status
     */
    Map<Integer, Integer> serveToItself(String path, int count) throws IOException {
        WarmupStats counters = new WarmupStats();
        Channel privateListener = bootstrap.clone()
                .channel(EpollServerSocketChannel.class)
                .childHandler(pipeline.apply(counters))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
        try {
            return LoopbackClient.get(((InetSocketAddress) privateListener.localAddress()).getPort(),
                    tls == null ? null : tls.loopbackClient(), path, count);
        } finally {
            privateListener.close().syncUninterruptibly();
            counters.close();
        }
    }

    /** Starts accepting: the socket is already bound and listening in the master, so registering is all. */
    void accept(int listenFd) throws InterruptedException {
        listener = bootstrap.clone().channelFactory(new OnListeningFd(listenFd)).register().sync().channel();
    }

    /** The master's listening socket as a channel. A class, not a lambda: a spare's activation links no lambda. */
    private record OnListeningFd(int fd) implements ChannelFactory<EpollServerSocketChannel> {
        @Override
        public EpollServerSocketChannel newChannel() {
            return new EpollServerSocketChannel(fd);
        }
    }

    /**
     * Closes only this worker's copy of the listening fd: the socket stays open in the master and
     * the other workers, so connections still queued on it go to them.
     */
    void stopAccepting() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        // A connection accepted just before the close is still on its way to a child loop (a queued
        // registration task) and not yet counted in openConnections(): a drain that looked now could
        // exit with its request unanswered. One task through every loop lets those registrations run first
        // (bounded: a loop held by a handler that never returns is the master's to kill).
        loops.forEach(loop -> loop.submit(() -> { }).awaitUninterruptibly(1, TimeUnit.SECONDS));
    }

    int openConnections() {
        return connections.size();
    }

    /** Every event loop of the server, the acceptor's too: the heartbeat stops when one of them is stuck. */
    List<EventExecutor> eventLoops() {
        List<EventExecutor> all = new ArrayList<>();
        acceptor.forEach(all::add);
        loops.forEach(all::add);
        return all;
    }

    void shutdown() {
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
