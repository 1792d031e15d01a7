package io.zygotehost.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bounded receive: what {@code status} uses so that a wedged master cannot hang it. */
class ConnectionTest {

    @TempDir
    Path dir;

    @Test
    void aMessageThatComesInTimeIsReceived() throws Exception {
        // The peer answers at once: the limit plays no part.
        try (ServerSocketChannel server = listen(); Connection client = Connection.connect(dir.resolve("s.sock"));
                Connection peer = new Connection(server.accept())) {
            peer.send(new Message.StatusRequest());
            assertEquals(Optional.of(new Message.StatusRequest()), client.receive(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aSilentPeerGivesNothingOnceTheLimitHasPassed() throws Exception {
        // The peer accepted and stays silent: the receive ends empty after the limit, not never.
        try (ServerSocketChannel server = listen(); Connection client = Connection.connect(dir.resolve("s.sock"));
                Connection peer = new Connection(server.accept())) {
            long start = System.nanoTime();
            assertEquals(Optional.empty(), client.receive(Duration.ofMillis(300)));
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 300 && waited < 5_000, "waited " + waited + " ms");
        }
    }

    @Test
    void eachEndKnowsTheUserOfTheOther() throws Exception {
        // The master tells an app's processes from the command line and from other apps' by this (SO_PEERCRED).
        try (ServerSocketChannel server = listen(); Connection client = Connection.connect(dir.resolve("s.sock"));
                Connection peer = new Connection(server.accept())) {
            assertEquals(Optional.of(System.getProperty("user.name")), peer.peerUser());
            assertEquals(Optional.of(System.getProperty("user.name")), client.peerUser());
        }
    }

    private ServerSocketChannel listen() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
        return server;
    }
}
