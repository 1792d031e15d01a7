package io.zygotehost.worker;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Netty's aggregator, with one answer to a body over max_body: a 413 in the request's turn, then a
 * lingering close. Netty's own answers differ by case: with {@code Expect: 100-continue} a 413 that keeps
 * the connection, otherwise a 413 and an immediate close, whose reset (the body is still arriving) can
 * destroy the 413 before the client reads it; and either is written ahead of the responses still due to
 * the requests before it.
 */
final class BodyLimit extends HttpObjectAggregator {

    BodyLimit(int maxBody) {
        super(maxBody);
    }

    /** An oversized request that expects 100-continue gets no interim answer: it goes the way of any other. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (isContentLengthInvalid(start, maxContentLength)) {
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    /** Called for a Content-Length over the limit, or once a chunked body passes it; the rest of the body is dropped. */
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.fireChannelRead(BadRequests.refused(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "the body is over max_body (" + maxContentLength() + " bytes)"));
    }
}
