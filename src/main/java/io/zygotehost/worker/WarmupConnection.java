package io.zygotehost.worker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * One in-memory connection to the worker's own pipeline: an EmbeddedChannel carrying what
 * {@link HttpServerInitializer} gives a real connection. Requests go in as bytes in a direct buffer
 * from the channel's allocator, as epoll reads them, so the JIT's profiles of the decoder match what
 * real traffic brings. Touched by one thread only, the warm-up's, which is also the channel's loop.
 */
final class WarmupConnection {

    /** The status of an exchange that got no response (the handler still runs at the deadline, or the pipeline failed). */
    static final int NO_RESPONSE = 0;

    private final EmbeddedChannel channel = new EmbeddedChannel(false, false);
    /** Null when the handler runs on the event loop (threads: 0), which here is the warm-up thread itself. */
    private final HandOff handOff;
    /** A handler call outlived the deadline: a pool thread may still queue to the loop, so the channel is left alone. */
    private boolean abandoned;

    WarmupConnection(ChannelInitializer<?> pipeline, HandOff handOff) {
        this.handOff = handOff;
        channel.pipeline().addLast(pipeline);
        try {
            channel.register(); // runs the initializer: the pipeline of a real connection
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up a warm-up connection", e);
        }
    }

    boolean isOpen() {
        return channel.isOpen() && !abandoned;
    }

    /** Sends one request; returns its response's status code, or {@link #NO_RESPONSE}. */
    int exchange(byte[] request, long deadlineNanos) throws InterruptedException {
        ByteBuf bytes = channel.alloc().ioBuffer(request.length).writeBytes(request);
        try {
            channel.writeInbound(bytes); // with threads: 0 the handler runs right here
            if (handOff != null && !handOff.runHeld(deadlineNanos)) {
                abandoned = true;
                return NO_RESPONSE;
            }
            channel.runPendingTasks(); // the pool's response, written on the loop
            return statusOfResponse();
        } catch (RuntimeException pipelineFailure) {
            channel.close();
            return NO_RESPONSE;
        }
    }

    /** The status in the first buffer written since the request (the encoder starts each response with its own), all released. */
    private int statusOfResponse() {
        int status = NO_RESPONSE;
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (status == NO_RESPONSE && out instanceof ByteBuf head && head.readableBytes() >= 12
                    && head.toString(head.readerIndex(), 9, StandardCharsets.US_ASCII).startsWith("HTTP/1.")) {
                status = parseStatus(head.toString(head.readerIndex() + 9, 3, StandardCharsets.US_ASCII));
            }
            ReferenceCountUtil.release(out);
        }
        return status;
    }

    private static int parseStatus(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException notAStatus) {
            return NO_RESPONSE;
        }
    }

    /** Closes and releases what is left, unless a pool thread may still reach the loop. */
    void close() {
        if (!abandoned) {
            channel.finishAndReleaseAll();
        }
    }
}
