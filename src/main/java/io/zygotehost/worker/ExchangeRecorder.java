package io.zygotehost.worker;

import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Pairs each request head with the response written for it and reports the pair to {@link WorkerStats#answered}.
 * Sits right after the codec, so it sees every decoded head (malformed ones too: the codec turns them into a
 * failed request) and every response, from the app or from the worker's own refusals (400, 408, 413, 503...).
 * HTTP/1.1 answers in order, so a queue pairs them; a response with no head waiting (a 408 for a head that
 * never ended) is reported with request line "-".
 *
 * <p>One instance per connection, touched only on its event loop.
 */
final class ExchangeRecorder extends ChannelDuplexHandler {

    private record Head(String method, String uri, String protocol, String referer, String userAgent,
                        long startMillis, long startNanos) {}

    private final WorkerStats stats;
    private final Queue<Head> unanswered = new ArrayDeque<>(2);
    private String client;

    ExchangeRecorder(WorkerStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            unanswered.add(new Head(request.method().name(), request.uri(), request.protocolVersion().text(),
                    request.headers().get(HttpHeaderNames.REFERER), request.headers().get(HttpHeaderNames.USER_AGENT),
                    System.currentTimeMillis(), System.nanoTime()));
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && !isInterim(response.status())) {
            report(ctx, response);
        }
        ctx.write(msg, promise);
    }

    private void report(ChannelHandlerContext ctx, HttpResponse response) {
        Head head = unanswered.poll();
        long now = System.nanoTime();
        long bytes = response instanceof ByteBufHolder full ? full.content().readableBytes()
                : Math.max(0, HttpUtil.getContentLength(response, 0L));
        if (head == null) {
            stats.answered(Exchange.headless(client(ctx), response.status().code(), bytes, System.currentTimeMillis()));
            return;
        }
        stats.answered(new Exchange(client(ctx), head.method, head.uri, head.protocol, response.status().code(), bytes,
                head.referer, head.userAgent, head.startMillis, now - head.startNanos));
    }

    /** A 100 Continue is not the answer: the final response follows it. */
    private static boolean isInterim(HttpResponseStatus status) {
        return status.codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private String client(ChannelHandlerContext ctx) {
        if (client == null) {
            client = ctx.channel().remoteAddress() instanceof InetSocketAddress address && address.getAddress() != null
                    ? address.getAddress().getHostAddress() : "-";
        }
        return client;
    }
}
