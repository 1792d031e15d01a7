package io.zygotehost.worker;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each request of a connection to the app, one at a time: pipelined requests wait in a queue
 * until the previous response is written, so they are answered in order even when a pool of
 * threads runs the handler. Past {@value #MAX_PIPELINED} waiting requests the connection stops
 * reading until the queue empties. (Reading on demand instead, auto-read off with a
 * FlowControlHandler, stalls on Netty 4.2.18: FlowControlHandler.channelReadComplete forgets a
 * read() asked within the same read cycle, as a response written on the event loop does, so the
 * next request waited for the idle timeout.)
 * One instance per connection, touched only on its event loop: its fields need no lock.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final HttpHandler handler;
    /** Runs the handler: a pool of {@code threads} threads, or the event loop itself when threads is 0. */
    private final Executor executor;
    private final WorkerStats stats;
    private final BooleanSupplier draining;
    static final int MAX_PIPELINED = 16;
    private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    RequestDispatcher(HttpHandler handler, Executor executor, WorkerStats stats, BooleanSupplier draining) {
        super(false); // the request is released after the handler ran, possibly on another thread
        this.handler = handler;
        this.executor = executor;
        this.stats = stats;
        this.draining = draining;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            HttpResponseStatus status = BadRequests.statusFor(request.decoderResult().cause());
            request.release();
            waiting.forEach(FullHttpRequest::release);
            waiting.clear();
            // The decoder discards the rest of a connection that sent garbage: answer, then close, lingering
            // (the keep-alive handler would close at once, and the reset would eat the answer).
            FullHttpResponse response = Responses.text(status, status.reasonPhrase() + "\n");
            HttpUtil.setKeepAlive(response, false);
            ctx.pipeline().remove(HttpServerKeepAliveHandler.class);
            LingeringClose.after(ctx.writeAndFlush(response));
            return;
        }
        if (busy) {
            waiting.add(request);
            if (waiting.size() >= MAX_PIPELINED) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        dispatch(ctx, request);
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        busy = true;
        stats.requests.increment();
        stats.inFlight.incrementAndGet();
        executor.execute(() -> respond(ctx, request));
    }

    /** Runs on the event loop once a response is written. */
    private void responded(ChannelHandlerContext ctx) {
        stats.inFlight.decrementAndGet();
        busy = false;
        FullHttpRequest next = waiting.poll();
        if (next != null && ctx.channel().isActive()) {
            dispatch(ctx, next);
        } else {
            if (next != null) {
                next.release();
            }
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waiting.forEach(FullHttpRequest::release);
        waiting.clear();
        ctx.fireChannelInactive();
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
        ctx.writeAndFlush(response).addListener(written -> responded(ctx));
    }

    /** The keep-alive idle timeout: an idle connection is closed, one whose request is still running is not. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && !busy && waiting.isEmpty()) {
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
