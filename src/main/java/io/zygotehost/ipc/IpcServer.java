package io.zygotehost.ipc;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's end of the control connections: a unix socket in {@code run_dir} (0700, the socket
 * 0600) that zygotes and workers connect to. Every connection gets a reader thread that turns what
 * arrives into calls on a {@link Listener}; the listener only queues (the master thread owns all state).
 */
public final class IpcServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(IpcServer.class);

    public interface Listener {
        void connected(Connection connection, Message.Hello hello);

        void received(Connection connection, Message message);

        void disconnected(Connection connection);
    }

    private final ServerSocketChannel server;
    private final Path path;
    private volatile boolean closed;

    private IpcServer(ServerSocketChannel server, Path path) {
        this.server = server;
        this.path = path;
    }

    public static IpcServer open(Path path, Listener listener) throws IOException {
        Files.deleteIfExists(path); // the caller has made sure no live host owns it
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        IpcServer ipc = new IpcServer(server, path);
        // Platform threads, not virtual ones: a virtual thread's blocking read parks on the JDK's I/O poller threads,
        // which sit in epoll_wait for good, and the JVM's exit waits 300 ms for threads in native code (see
        // MasterLink.close). Closed at the master's end, these leave native code: its exit took 6 ms instead of 310.
        Thread.ofPlatform().daemon(true).name("ipc-accept").start(() -> ipc.acceptLoop(listener));
        return ipc;
    }

    private void acceptLoop(Listener listener) {
        while (!closed) {
            try {
                SocketChannel channel = server.accept();
                Thread.ofPlatform().daemon(true).name("ipc-read").start(() -> serve(new Connection(channel), listener));
            } catch (IOException e) {
                if (!closed) {
                    log.error("control socket {} failed", path, e);
                }
                return;
            }
        }
    }

    private void serve(Connection connection, Listener listener) {
        try {
            Optional<Message> first = connection.receive();
            if (first.isEmpty() || !(first.get() instanceof Message.Hello hello)) {
                log.warn("a control connection did not start with hello; closed");
                connection.close();
                return;
            }
            listener.connected(connection, hello);
            for (Optional<Message> message = connection.receive(); message.isPresent(); message = connection.receive()) {
                listener.received(connection, message.get());
            }
        } catch (IOException e) {
            log.debug("control connection failed: {}", e.toString());
        }
        connection.close();
        listener.disconnected(connection);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        Files.deleteIfExists(path);
    }
}
