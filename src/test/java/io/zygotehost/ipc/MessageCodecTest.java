package io.zygotehost.ipc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.metrics.LatencyBuckets;
import io.zygotehost.metrics.Traffic;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    /** One of each kind; a kind added to Message and not to the codec fails here. */
    private static final List<Message> ONE_OF_EACH = List.of(
            new Message.Hello(Message.Role.WORKER, 3, 7, 4242),
            new Message.CanaryPassed(),
            new Message.CanaryFailed("example.App: no such class in Übersicht-1.0.jar ✓"),
            new Message.SpawnWorker(7, true, "/run/pipes/out", ""),
            new Message.WorkerSpawned(7, 4242),
            new Message.WorkerSpawnFailed(7, "fork: out of memory"),
            new Message.WorkerExited(7, 4242, -1, 9),
            new Message.WorkerReady(),
            new Message.WorkerFailed("boom \"quoted\"\nsecond line"),
            new Message.Heartbeat(13, 1, 0, traffic()),
            new Message.Drain(),
            new Message.Activate(),
            new Message.Reload(),
            new Message.ReloadDone(true, List.of("hello: v1 -> v2 in 6.1s", "slow: unchanged")),
            new Message.StatusRequest());

    @Test
    void everyKindOfMessageRoundTripsOnOneLine() throws IOException {
        Set<Class<?>> sampled = ONE_OF_EACH.stream().map(Object::getClass).collect(Collectors.toCollection(HashSet::new));
        sampled.add(Message.StatusReport.class); // its round trip: StatusSnapshotTest
        assertEquals(Set.of(Message.class.getPermittedSubclasses()), sampled, "one sample of every kind");
        for (Message message : ONE_OF_EACH) {
            String line = MessageCodec.encode(message);
            assertTrue(!line.contains("\n"), line);
            assertEquals(message, MessageCodec.decode(line), line);
        }
    }

    @Test
    void theWarmUpRoundTripsTheMessagesOfACrashAndAnActivation() {
        // It checks each sample comes back equal, and throws if one does not: a warm-up that passes proves the codec.
        assertDoesNotThrow(MessageCodec::warmUp);
    }

    @Test
    void aMessageIsOneLineNamedByItsType() {
        String line = MessageCodec.encode(new Message.WorkerExited(3, 4242, 0, 9));
        assertEquals("{\"type\":\"worker_exited\",\"workerId\":3,\"pid\":4242,\"exitCode\":0,\"signal\":9}", line);
    }

    @Test
    void aHeartbeatsTrafficIsInSnakeCaseAsInTheStatus() {
        String line = MessageCodec.encode(new Message.Heartbeat(1, 0, 0, Traffic.NONE));
        assertTrue(line.contains("\"latency_buckets\":[") && line.contains("\"latency_sum_nanos\":0"), line);
    }

    @Test
    void fieldsANewerPeerAddsAreIgnoredAndMissingOnesAreDefaults() throws IOException {
        assertEquals(new Message.WorkerSpawned(2, 0),
                MessageCodec.decode("{\"type\":\"worker_spawned\",\"workerId\":2,\"since\":{\"a\":[1,2.5,null]}}"));
    }

    @Test
    void aLineThatIsNoMessageIsAnIOErrorThatSaysWhy() {
        IOException unknown = assertThrows(IOException.class, () -> MessageCodec.decode("{\"type\":\"dance\"}"));
        assertTrue(unknown.getMessage().contains("unknown message type \"dance\""), unknown.getMessage());
        IOException wrongKind = assertThrows(IOException.class,
                () -> MessageCodec.decode("{\"type\":\"worker_spawned\",\"workerId\":\"two\"}"));
        assertTrue(wrongKind.getMessage().contains("\"workerId\""), wrongKind.getMessage());
        assertThrows(IOException.class, () -> MessageCodec.decode("[1,2]"));
        assertThrows(IOException.class, () -> MessageCodec.decode("{\"type\":\"hello\""));
    }

    private static Traffic traffic() {
        long[] buckets = new long[LatencyBuckets.COUNT];
        buckets[3] = 12;
        buckets[LatencyBuckets.COUNT - 1] = 1;
        return new Traffic(new long[] {0, 11, 0, 2, 0}, buckets, 987_654_321L);
    }
}
