package io.zygotehost.worker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.zygotehost.api.Responses;
import java.util.concurrent.TimeUnit;

/**
 * The one way the worker ends a connection on its own: answer a status with {@code Connection: close},
 * then close lingeringly, as nginx's lingering_close does. Closing a socket with unread input makes the
 * kernel send a reset, and the reset destroys the response we just wrote before the client reads it.
 * So: stop decoding what still arrives, finish writing, shut down our side, read and discard for a
 * moment (or until the client closes too), then close.
 */
final class LingeringClose {

    static final long LINGER_MILLIS = 2000;

    private LingeringClose() {}

    /** Answers {@code status} and closes; a connection already answered this way is left be. */
    static void answer(Channel channel, HttpResponseStatus status) {
        answer(channel, status, status.reasonPhrase());
    }

    /** The same, with {@code text} (and a newline) as the body. */
    static void answer(Channel channel, HttpResponseStatus status, String text) {
        if (answered(channel) || !channel.isActive()) {
            return; // already closing, or closed
        }
        ChannelPipeline pipeline = channel.pipeline();
        // First in the pipeline: no byte the client still sends becomes a request.
        pipeline.addFirst(new DiscardInput());
        // It would close at once after a Connection: close response, and the reset would eat the answer.
        if (pipeline.get(HttpServerKeepAliveHandler.class) != null) {
            pipeline.remove(HttpServerKeepAliveHandler.class);
        }
        FullHttpResponse response = Responses.text(status, text + "\n");
        HttpUtil.setKeepAlive(response, false);
        // From the tail, whichever handler answers: the encoder must see the response.
        after(channel.writeAndFlush(response));
    }

    /** True once {@link #answer} ran on the channel: it is closing, nothing more is dispatched. */
    static boolean answered(Channel channel) {
        return channel.pipeline().get(DiscardInput.class) != null;
    }

    private static void after(ChannelFuture written) {
        Channel channel = written.channel();
        written.addListener(done -> {
            if (!(channel instanceof DuplexChannel duplex) || !channel.isActive() || duplex.isInputShutdown()) {
                channel.close(); // nothing left unread: no reset to fear
                return;
            }
            // Over TLS, the close_notify first: a client then knows the response ended where it should.
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            ChannelFuture notified = tls != null ? tls.closeOutbound() : channel.newSucceededFuture();
            notified.addListener(sent -> duplex.shutdownOutput().addListener(shut -> {
                channel.config().setAutoRead(true);
                channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            }));
        });
    }

    /** Drops whatever the client still sends; its end of input ends the linger early. */
    private static final class DiscardInput extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent && ctx.channel() instanceof DuplexChannel duplex
                    && duplex.isOutputShutdown()) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(event);
        }
    }
}
