package io.zygotehost.worker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose client may still be sending, as nginx's lingering_close does. Closing
 * a socket with unread input makes the kernel send a reset, and the reset destroys the response
 * we just wrote before the client reads it. So: finish writing, shut down our side, read and
 * discard what still arrives for a moment, then close.
 */
final class LingeringClose {

    static final long LINGER_MILLIS = 2000;

    private LingeringClose() {}

    static void after(ChannelFuture written) {
        Channel channel = written.channel();
        written.addListener(done -> {
            if (!(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
                channel.close();
                return;
            }
            duplex.shutdownOutput().addListener(shut -> {
                // The HTTP decoder is in its bad-message state now: it drops whatever it reads.
                channel.config().setAutoRead(true);
                channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
        });
    }
}
