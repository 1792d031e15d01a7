package io.zygotehost.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify's datagrams reach a socket bound at a path or at an abstract name, and say exactly what was sent. */
class SystemdNotifyTest {

    private static final Duration LIMIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void aPathAddressEndsWithItsNulAndAnAbstractOneHasExactlyItsBytes() throws Exception {
        // The kernel compares an abstract name over the length given: a padded one would be another name.
        try (SystemdNotify path = SystemdNotify.open("/run/systemd/notify")) {
            byte[] expected = new byte[2 + "/run/systemd/notify".length() + 1];
            expected[0] = 1; // AF_UNIX, little-endian
            System.arraycopy("/run/systemd/notify".getBytes(StandardCharsets.US_ASCII), 0, expected, 2, 19);
            assertArrayEquals(expected, path.address());
        }
        try (SystemdNotify named = SystemdNotify.open("@zh/notify")) {
            byte[] address = named.address();
            assertEquals(2 + 10, address.length);
            assertEquals(0, address[2], "'@' is the leading NUL of an abstract name");
            assertEquals("zh/notify", new String(Arrays.copyOfRange(address, 3, address.length), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aMessageArrivesWholeAtAPathSocket() throws Exception {
        Path socket = dir.resolve("notify.sock");
        try (NotifyReceiver systemd = new NotifyReceiver(socket.toString());
             SystemdNotify notify = SystemdNotify.open(socket.toString())) {
            notify.send("READY=1\nSTATUS=serving hello");
            notify.send("STOPPING=1");
            assertEquals("READY=1\nSTATUS=serving hello", systemd.next(LIMIT));
            assertEquals("STOPPING=1", systemd.next(LIMIT));
        }
    }

    @Test
    void aMessageArrivesAtAnAbstractName() throws Exception {
        String name = "@zygote-host-test-" + UUID.randomUUID();
        try (NotifyReceiver systemd = new NotifyReceiver(name); SystemdNotify notify = SystemdNotify.open(name)) {
            notify.send("READY=1");
            assertEquals("READY=1", systemd.next(LIMIT));
        }
    }

    @Test
    void aSocketNobodyListensOnIsAnErrorNamingIt() throws Exception {
        try (SystemdNotify notify = SystemdNotify.open(dir.resolve("gone.sock").toString())) {
            IOException e = assertThrows(IOException.class, () -> notify.send("READY=1"));
            assertTrue(e.getMessage().startsWith("sendto(NOTIFY_SOCKET=" + dir.resolve("gone.sock") + ") failed: "),
                    e.getMessage());
        }
    }

    @Test
    void addressesThatAreNotSocketsAreRefused() {
        assertThrows(IOException.class, () -> SystemdNotify.open("run/notify"), "relative");
        assertThrows(IOException.class, () -> SystemdNotify.open("/" + "x".repeat(107)), "longer than sun_path");
    }
}
