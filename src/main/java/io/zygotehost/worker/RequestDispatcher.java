package io.zygotehost.worker;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each request of a connection to the app, one at a time: the channel does not read the next
 * request until the previous response is written (auto-read off, a FlowControlHandler before us),
 * so pipelined requests are answered in order even when a pool of threads runs the handler.
 * One instance per connection: its fields need no lock.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final HttpHandler handler;
    /** Runs the handler: a pool of {@code threads} threads, or the event loop itself when threads is 0. */
    private final Executor executor;
    private final WorkerStats stats;
    private final BooleanSupplier draining;
    private boolean busy;

    RequestDispatcher(HttpHandler handler, Executor executor, WorkerStats stats, BooleanSupplier draining) {
        super(false); // the request is released after the handler ran, possibly on another thread
        this.handler = handler;
        this.executor = executor;
        this.stats = stats;
        this.draining = draining;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            HttpResponseStatus status = BadRequests.statusFor(request.decoderResult().cause());
            request.release();
            // The decoder discards the rest of a connection that sent garbage: answer, then close.
            FullHttpResponse response = Responses.text(status, status.reasonPhrase() + "\n");
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        busy = true;
        stats.requests.increment();
        stats.inFlight.incrementAndGet();
        executor.execute(() -> respond(ctx, request));
    }

    private void respond(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        try {
            response = handler.handle(request);
            if (response == null) {
                throw new IllegalStateException("the handler returned no response");
            }
        } catch (Throwable failure) {
            log.error("{} {} failed", request.method(), request.uri(), failure);
            response = Responses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal Server Error\n");
        } finally {
            request.release();
        }
        if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && !HttpUtil.isTransferEncodingChunked(response)) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        if (draining.getAsBoolean()) {
            // The client learns with this response that the connection ends, and opens the next one
            // to a worker that stays: no request races a close.
            HttpUtil.setKeepAlive(response, false);
        }
        ctx.writeAndFlush(response).addListener(written -> {
            stats.inFlight.decrementAndGet();
            busy = false;
            if (written.isSuccess() && ctx.channel().isActive()) {
                ctx.read();
            }
        });
    }

    /** The keep-alive idle timeout: an idle connection is closed, one whose request is still running is not. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && !busy) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A client that resets its connection is ordinary; the worker carries on with the others.
        log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
