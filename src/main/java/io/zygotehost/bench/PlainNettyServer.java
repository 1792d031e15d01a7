package io.zygotehost.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline bin/bench measures the host against: the same app handler behind the plainest Netty
 * HTTP/1.1 server, in one JVM, with no master, zygote, flow control or idle timeout. Whatever the
 * host costs on top of this is what the benchmark's ratio shows.
 *
 * <p>{@code java ... io.zygotehost.bench.PlainNettyServer CLASS PORT EVENT_LOOPS}: port 0 picks a
 * free one. Prints {@code listening on 127.0.0.1:PORT} once it accepts; stops on SIGTERM.
 */
public final class PlainNettyServer {

    /** Same limits as the host's workers, so both sides parse requests alike. */
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 16384;
    private static final int MAX_BODY = 10 << 20;

    private PlainNettyServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PlainNettyServer APPLICATION_CLASS PORT EVENT_LOOPS");
            System.exit(2);
        }
        HttpHandler handler = startApp(args[0]);
        int port = Integer.parseInt(args[1]);
        int eventLoops = Integer.parseInt(args[2]);

        // One acceptor thread and N event loops: the shape of a host worker's server.
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(eventLoops, EpollIoHandler.newFactory());
        // SIGTERM runs the shutdown hooks: close the listener and the loops, which ends main below.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }, "shutdown"));

        Channel listener = new ServerBootstrap()
                .group(acceptor, loops)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024) // the host's listening socket has the same backlog
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new Initializer(handler))
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        System.out.println("listening on 127.0.0.1:" + bound.getPort());
        System.out.flush();
        listener.closeFuture().awaitUninterruptibly();
    }

    /** Loads the app the way the host's workers do: by class name, preload, then start. */
    private static HttpHandler startApp(String className) throws Exception {
        Application app = (Application) Class.forName(className).getConstructor().newInstance();
        AppContext context = new Context();
        app.preload(context);
        return app.start(context);
    }

    /** Worker 1 of app "bench": the app's answers have the same length as from a host worker. */
    private record Context() implements AppContext {
        @Override
        public String appName() {
            return "bench";
        }

        @Override
        public String version() {
            return "plain";
        }

        @Override
        public int workerId() {
            return 1;
        }

        @Override
        public List<String> args() {
            return List.of();
        }
    }

    /** The pipeline: the three HTTP handlers every Netty server has, then the app. */
    private static final class Initializer extends ChannelInitializer<Channel> {
        private final HttpHandler handler;

        Initializer(HttpHandler handler) {
            this.handler = handler;
        }

        @Override
        protected void initChannel(Channel channel) {
            channel.pipeline()
                    .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192))
                    .addLast(new HttpServerKeepAliveHandler())
                    .addLast(new HttpObjectAggregator(MAX_BODY))
                    .addLast(new AppHandler(handler));
        }
    }

    /** Runs the app's handler on the event loop (the host's {@code threads: 0}) and writes its answer. */
    private static final class AppHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final HttpHandler handler;

        AppHandler(HttpHandler handler) {
            super(false); // released below, right after the handler, as the host does
            this.handler = handler;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            FullHttpResponse response;
            try {
                response = handler.handle(request);
            } finally {
                request.release();
            }
            if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                HttpUtil.setContentLength(response, response.content().readableBytes());
            }
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A benchmark baseline has nothing to report: a failing connection just closes.
            ctx.close();
        }
    }
}
