package io.zygotehost.ipc;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.ExtendedSocketOptions;

/**
 * One end of a control connection: blocking reads of whole messages on the owner's reader thread,
 * sends from any thread (serialized here, each message one write).
 */
public final class Connection implements Closeable {

    private final SocketChannel channel;
    private final BufferedReader reader;
    private final Object writeLock = new Object();

    public Connection(SocketChannel channel) {
        this.channel = channel;
        this.reader = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    public static Connection connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
        return new Connection(channel);
    }

    /** The user the process at the other end runs as (SO_PEERCRED, as the kernel saw it at connect); empty if unknown. */
    public Optional<String> peerUser() {
        try {
            return Optional.of(channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** The next message; empty at EOF, when the other side has gone. */
    public Optional<Message> receive() throws IOException {
        String line = reader.readLine();
        return line == null ? Optional.empty() : Optional.of(MessageCodec.decode(line));
    }

    /**
     * The next message if it comes within the limit; empty at EOF or past the limit, when the
     * connection is closed (a blocking channel read has no timeout of its own: closing it ends the read).
     */
    public Optional<Message> receive(Duration limit) throws IOException {
        AtomicBoolean late = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("receive-limit").start(() -> {
            try {
                Thread.sleep(limit);
                late.set(true);
                close();
            } catch (InterruptedException answered) {
                // the message came in time
            }
        });
        try {
            return receive();
        } catch (IOException e) {
            // How a read ended by a close from another thread fails depends on the stream: the flag says.
            if (late.get()) {
                return Optional.empty();
            }
            throw e;
        } finally {
            watchdog.interrupt();
        }
    }

    public void send(Message message) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((MessageCodec.encode(message) + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (writeLock) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /** Sends if the other side is still there; a peer that vanished is reported by its EOF, not here. */
    public boolean trySend(Message message) {
        try {
            send(message);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket whose peer is gone: nothing left to do
        }
    }
}
