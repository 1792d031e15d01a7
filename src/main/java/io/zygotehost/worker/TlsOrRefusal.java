package io.zygotehost.worker;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * First on a connection to an HTTPS port: its first bytes decide. A TLS record gets Netty's
 * SslHandler in this place, with {@code header_timeout} to finish its handshake; anything else
 * (plain HTTP, mostly: {@code curl http://} to the wrong port) gets a 400 saying to use https, as
 * nginx answers, and a lingering close. Either way the worker carries on.
 */
final class TlsOrRefusal extends OptionalSslHandler {

    private final long handshakeTimeoutMillis;

    TlsOrRefusal(SslContext context, long handshakeTimeoutMillis) {
        super(context);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected SslHandler newSslHandler(ChannelHandlerContext ctx, SslContext context) {
        SslHandler handler = context.newHandler(ctx.alloc());
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    @Override
    protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
        return new PlainRequestRefusal();
    }

    /** Takes the place of this handler for a connection that did not start with TLS. */
    private static final class PlainRequestRefusal extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            LingeringClose.answer(ctx.channel(), HttpResponseStatus.BAD_REQUEST,
                    "This port speaks HTTPS: the request was sent in plain HTTP. Use https://.");
        }
    }
}
