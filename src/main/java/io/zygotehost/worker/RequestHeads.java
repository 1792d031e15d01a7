package io.zygotehost.worker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Follows each request of a connection from its first byte to the end of its head (request line and
 * headers): counts it, and refuses it with a 408 when the head takes longer than header_timeout, the
 * defense against slowloris (clients that trickle headers to hold connections open for ever). Two
 * handlers around the codec: {@link #bytes()} before it sees raw bytes and starts the clock on the first
 * byte of a request; {@link #decoded()} after it sees the decoded head and stops the clock. Between
 * requests the connection is idle, and the keep-alive timeout governs it instead.
 *
 * <p>Known slack: when the end of one request and the start of the next arrive in one read, the clock
 * of the next starts at the following read, since the codec keeps the partial head to itself.
 *
 * <p>One instance per connection, touched only on its event loop.
 */
final class RequestHeads {

    private enum State { BETWEEN_REQUESTS, IN_HEAD, IN_BODY, TIMED_OUT }

    private final long timeoutMillis;
    private final WorkerStats stats;
    private State state = State.BETWEEN_REQUESTS;
    private ScheduledFuture<?> deadline;
    private ChannelHandlerContext decodedContext;

    RequestHeads(long timeoutMillis, WorkerStats stats) {
        this.timeoutMillis = timeoutMillis;
        this.stats = stats;
    }

    /** Goes before the codec. */
    ChannelHandler bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state == State.TIMED_OUT) {
                    ReferenceCountUtil.release(msg); // the 408 is on its way; the rest of this head is moot
                    return;
                }
                if (state != State.BETWEEN_REQUESTS || !(msg instanceof ByteBuf bytes) || !bytes.isReadable()) {
                    ctx.fireChannelRead(msg);
                    return;
                }
                state = State.IN_HEAD;
                ctx.fireChannelRead(msg);
                // Most heads arrive whole in their first read: the clock is wound only for those that did not.
                if (state == State.IN_HEAD && ctx.channel().isActive()) {
                    deadline = ctx.executor().schedule(RequestHeads.this::timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                // A head on its way is not an idle connection: header_timeout decides, not the keep-alive timeout.
                if (event instanceof IdleStateEvent && state == State.IN_HEAD) {
                    return;
                }
                ctx.fireUserEventTriggered(event);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                stopClock();
                ctx.fireChannelInactive();
            }
        };
    }

    /** Goes right after the codec. */
    ChannelHandler decoded() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                decodedContext = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state == State.TIMED_OUT || LingeringClose.answered(ctx.channel())) {
                    // The codec's last words at the close (the partial head it held): no request, no count.
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (msg instanceof HttpRequest) {
                    // Every request counts, whatever becomes of it: answered, refused as malformed or too large.
                    stats.requests.increment();
                    stopClock();
                    state = State.IN_BODY;
                }
                if (msg instanceof LastHttpContent) {
                    state = State.BETWEEN_REQUESTS;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void stopClock() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** The head did not arrive in time: a stand-in request takes its place in the queue and gets the 408. */
    private void timedOut() {
        deadline = null;
        if (state != State.IN_HEAD || LingeringClose.answered(decodedContext.channel())) {
            return;
        }
        state = State.TIMED_OUT;
        stats.requests.increment();
        decodedContext.fireChannelRead(BadRequests.refused(HttpResponseStatus.REQUEST_TIMEOUT,
                "no complete request head within " + timeoutMillis + " ms"));
    }
}
