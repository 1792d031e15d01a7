package io.zygotehost.ipc;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child's connection to the master. Messages from the master go to a handler on a reader thread;
 * EOF means the master is gone (even SIGKILLed), and the child must not outlive it.
 */
public final class MasterLink {

    private static final Logger log = LoggerFactory.getLogger(MasterLink.class);

    private final Connection connection;
    /** Set by {@link #close}: the reader's EOF or error is then ours, not the master's going. */
    private volatile boolean closed;

    private MasterLink(Connection connection) {
        this.connection = connection;
    }

    public static MasterLink open(GenerationSpec spec, Message.Hello hello) throws IOException {
        Connection connection = Connection.connect(spec.ipcSocket());
        connection.send(hello);
        return new MasterLink(connection);
    }

    /**
     * Starts the reader thread: each message to {@code onMessage}; at EOF or error, {@code onMasterGone} once.
     * The process's exit, however it comes (System.exit, SIGTERM), closes the link first: see {@link #close}.
     */
    public void listen(Consumer<Message> onMessage, Runnable onMasterGone) {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "close-master-link"));
        Thread reader = new Thread(() -> {
            try {
                for (Optional<Message> message = connection.receive(); message.isPresent(); message = connection.receive()) {
                    onMessage.accept(message.get());
                }
            } catch (IOException e) {
                if (closed) {
                    return; // our own close(), on the way out
                }
                log.warn("control connection to the master failed: {}", e.toString());
            }
            if (!closed) {
                onMasterGone.run();
            }
        }, "master-link");
        reader.setDaemon(true);
        reader.start();
    }

    public void send(Message message) throws IOException {
        connection.send(message);
    }

    public boolean trySend(Message message) {
        return connection.trySend(message);
    }

    /**
     * Closes the connection, which ends the reader thread's blocking read (quietly: the master is not gone). Done
     * as the process exits: the JVM's exit waits up to 300 ms for every thread still in native code, such as a
     * read on this socket, to stop (HotSpot's VM_Exit::wait_for_threads_in_native_to_block); measured as 300 ms
     * between a worker's last log line and its exit_group, and in a zygote stopped by SIGTERM.
     */
    void close() {
        closed = true;
        connection.close();
    }
}
