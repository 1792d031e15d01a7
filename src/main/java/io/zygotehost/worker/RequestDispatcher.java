package io.zygotehost.worker;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each request of a connection to the app, one at a time: pipelined requests wait in a queue
 * until the previous response is written, so they are answered in order even when a pool of
 * threads runs the handler. Requests refused before the app (malformed, too large, too slow) wait
 * their turn in the same queue, then get their status and the connection closes. Past
 * {@value #MAX_PIPELINED} waiting requests the connection stops reading until the queue empties.
 * (Reading on demand instead, auto-read off with a FlowControlHandler, stalls on Netty 4.2.18:
 * FlowControlHandler.channelReadComplete forgets a read() asked within the same read cycle, as a
 * response written on the event loop does, so the next request waited for the idle timeout.)
 *
 * <p>A handler on the pool that has not answered within request_timeout: its client gets a 503 from a
 * timer on the event loop and the connection closes; the handler runs on, counted as stuck until it
 * returns, and its late response is dropped. A handler on the event loop (threads: 0) has no such
 * timer, which could not fire while it runs: the worker's heartbeat stops instead.
 *
 * <p>One instance per connection, touched only on its event loop: its fields need no lock.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);
    static final int MAX_PIPELINED = 16;

    private final HttpHandler handler;
    /** The pool of {@code threads} threads that runs the handler; null runs it on the event loop. */
    private final Executor pool;
    private final long requestTimeoutMillis;
    private final WorkerStats stats;
    private final BooleanSupplier draining;
    private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();
    /** The request being handled or its response written; null between requests. */
    private Call current;
    /** The client shut down its sending side (half-close): answer what it sent, then close. */
    private boolean inputShutdown;

    /** One request in the handler: what its timer and its log line need. */
    private static final class Call {
        final String method;
        final String uri;
        final long startNanos;
        ScheduledFuture<?> timeout;
        /** Its client got a 503: the handler's response, when it comes, is dropped. */
        boolean timedOut;

        Call(FullHttpRequest request, long startNanos) {
            this.method = request.method().name();
            this.uri = request.uri();
            this.startNanos = startNanos;
        }
    }

    RequestDispatcher(HttpHandler handler, Executor pool, long requestTimeoutMillis, WorkerStats stats,
            BooleanSupplier draining) {
        super(false); // the request is released after the handler ran, possibly on another thread
        this.handler = handler;
        this.pool = pool;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.stats = stats;
        this.draining = draining;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (LingeringClose.answered(ctx.channel())) {
            request.release(); // already closing: nothing more is answered
            return;
        }
        if (current != null) {
            waiting.add(request);
            if (waiting.size() >= MAX_PIPELINED) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        dispatch(ctx, request);
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            HttpResponseStatus status = BadRequests.statusFor(request.decoderResult().cause());
            request.release();
            refuse(ctx, status);
            return;
        }
        Call call = new Call(request, ctx.executor().ticker().nanoTime());
        current = call;
        stats.inFlight.incrementAndGet();
        if (pool == null) {
            finish(ctx, call, run(request));
            return;
        }
        call.timeout = ctx.executor().schedule(() -> timedOut(ctx, call), requestTimeoutMillis, TimeUnit.MILLISECONDS);
        pool.execute(() -> {
            FullHttpResponse response = run(request);
            try {
                ctx.executor().execute(() -> finish(ctx, call, response));
            } catch (RejectedExecutionException shuttingDown) {
                response.release();
            }
        });
    }

    /** Runs the app's handler: its response, or a 500 if it threw. Releases the request. */
    private FullHttpResponse run(FullHttpRequest request) {
        FullHttpResponse response;
        try {
            response = handler.handle(request);
            if (response == null) {
                throw new IllegalStateException("the handler returned no response");
            }
        } catch (Throwable failure) {
            stats.handlerFailed(request, failure);
            response = Responses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal Server Error\n");
        } finally {
            request.release();
        }
        if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && !HttpUtil.isTransferEncodingChunked(response)) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        return response;
    }

    /** On the event loop, once the handler returned. */
    private void finish(ChannelHandlerContext ctx, Call call, FullHttpResponse response) {
        if (call.timedOut) {
            stats.stuck.decrementAndGet();
            response.release();
            return;
        }
        if (call.timeout != null) {
            call.timeout.cancel(false);
        }
        if (draining.getAsBoolean()) {
            // The client learns with this response that the connection ends, and opens the next one
            // to a worker that stays: no request races a close.
            HttpUtil.setKeepAlive(response, false);
        }
        ctx.writeAndFlush(response).addListener(written -> responded(ctx));
    }

    /** The request timeout fired before the handler returned. */
    private void timedOut(ChannelHandlerContext ctx, Call call) {
        call.timedOut = true;
        current = null;
        stats.stuck.incrementAndGet();
        stats.inFlight.decrementAndGet();
        long millis = TimeUnit.NANOSECONDS.toMillis(ctx.executor().ticker().nanoTime() - call.startNanos);
        stats.handlerTimedOut(call.method, call.uri, millis);
        refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE);
    }

    /** Answers a status and closes; the requests still waiting are dropped with the connection. */
    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status) {
        releaseWaiting();
        LingeringClose.answer(ctx.channel(), status);
    }

    /** Runs on the event loop once a response is written. */
    private void responded(ChannelHandlerContext ctx) {
        stats.inFlight.decrementAndGet();
        current = null;
        FullHttpRequest next = waiting.poll();
        if (next != null && ctx.channel().isActive()) {
            dispatch(ctx, next);
            return;
        }
        if (next != null) {
            next.release();
        }
        if (inputShutdown) {
            ctx.close(); // every request the client sent is answered
            return;
        }
        ctx.channel().config().setAutoRead(true);
    }

    private void releaseWaiting() {
        waiting.forEach(FullHttpRequest::release);
        waiting.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        boolean idle = current == null && waiting.isEmpty() && !LingeringClose.answered(ctx.channel());
        if (event instanceof IdleStateEvent) {
            // The keep-alive timeout: an idle connection is closed, one whose request is still running is not.
            if (idle) {
                ctx.close();
            }
        } else if (event instanceof ChannelInputShutdownEvent) {
            // A half-closed client still gets the responses to what it sent (the decoder has passed every
            // complete request on before this event); the last one written closes the connection.
            inputShutdown = true;
            if (idle) {
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A client that resets its connection is ordinary; the worker carries on with the others.
        log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
