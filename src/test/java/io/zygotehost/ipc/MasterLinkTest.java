package io.zygotehost.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.config.HttpLimits;
import io.zygotehost.config.Warmup;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child's link: messages both ways, the master's going told once, and the child's own close told never. */
class MasterLinkTest {

    @TempDir
    Path dir;

    @Test
    void messagesCrossWholeAndTheMastersGoingIsToldOnce() throws Exception {
        try (ServerSocketChannel server = listen()) {
            MasterLink link = MasterLink.open(spec(), new Message.Hello(Message.Role.WORKER, 1, 2, 42));
            try (Connection master = new Connection(server.accept())) {
                assertEquals(Optional.of(new Message.Hello(Message.Role.WORKER, 1, 2, 42)), master.receive());
                CountDownLatch activated = new CountDownLatch(1);
                CountDownLatch gone = new CountDownLatch(1);
                link.listen(message -> activated.countDown(), gone::countDown);
                master.send(new Message.Activate());
                assertTrue(activated.await(10, TimeUnit.SECONDS));
                link.send(new Message.WorkerFailed("no such class in Übersicht-1.0.jar ✓"));
                assertEquals(Optional.of(new Message.WorkerFailed("no such class in Übersicht-1.0.jar ✓")), master.receive());
                master.close();
                assertTrue(gone.await(10, TimeUnit.SECONDS), "EOF from the master: the child must not outlive it");
            }
        }
    }

    @Test
    void itsOwnCloseOnTheWayOutIsNotTheMastersGoing() throws Exception {
        try (ServerSocketChannel server = listen()) {
            MasterLink link = MasterLink.open(spec(), new Message.Hello(Message.Role.WORKER, 1, 2, 42));
            try (Connection master = new Connection(server.accept())) {
                AtomicInteger gone = new AtomicInteger();
                Set<Thread> before = readers();
                link.listen(message -> { }, gone::incrementAndGet);
                Set<Thread> started = readers();
                started.removeAll(before);
                Thread reader = started.iterator().next();
                link.close();
                reader.join(10_000);
                assertFalse(reader.isAlive(), "the close ends the reader's blocking read");
                assertEquals(0, gone.get(), "a close of our own is no news of the master");
                assertEquals(Optional.of(new Message.Hello(Message.Role.WORKER, 1, 2, 42)), master.receive());
                assertEquals(Optional.empty(), master.receive(), "the master sees the link end");
            }
        }
    }

    private static Set<Thread> readers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("master-link"))
                .collect(Collectors.toCollection(HashSet::new));
    }

    private GenerationSpec spec() {
        return new GenerationSpec("hello", "v1", 1, "example.App", List.of(), 0, 1024, 60_000, HttpLimits.DEFAULT,
                new Warmup("/", 0), 1_000, dir.resolve("ipc.sock"), List.of("java"), Map.of(), null, null, null);
    }

    private ServerSocketChannel listen() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("ipc.sock")));
        return server;
    }
}
