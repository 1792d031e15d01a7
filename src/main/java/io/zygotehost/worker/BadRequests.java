package io.zygotehost.worker;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Requests that never reach the app. The decoder marks a request it cannot read with a failed decoder
 * result; the handlers that refuse one later (a body over max_body, a head too slow) make such a request
 * too, so the dispatcher answers every refusal the same way and in the connection's order, after the
 * responses to the requests before it.
 */
final class BadRequests {

    private BadRequests() {}

    /** A stand-in for a request refused with {@code status}. */
    static FullHttpRequest refused(HttpResponseStatus status, String why) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/refused",
                Unpooled.EMPTY_BUFFER);
        request.setDecoderResult(DecoderResult.failure(new Refused(status, why)));
        return request;
    }

    static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof Refused refused) {
            return refused.status;
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private static final class Refused extends DecoderException {
        private final HttpResponseStatus status;

        Refused(HttpResponseStatus status, String why) {
            super(why);
            this.status = status;
        }
    }
}
