package io.zygotehost.exec.spare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request a client sends, as the server and the spare read it: fields, bytes and descriptors. */
class RunRequestTest {

    @TempDir
    Path dir;

    @Test
    void aRequestReadsBackFieldByField() throws IOException {
        byte[] raw = RunRequest.encode("012", RunRequest.RUN, "/abs/app.jar:/abs/lib/*", "app.jar:lib/*", "/home/me",
                "com.example.Main", List.of("a b", "", "--flag"), List.of("HOME=/home/me", "EMPTY=", "LANG=C.UTF-8"));
        RunRequest request = RunRequest.decode(raw);
        assertEquals("012", request.standardFds());
        assertEquals(RunRequest.RUN, request.mode());
        assertEquals("/abs/app.jar:/abs/lib/*", request.classPath());
        assertEquals("app.jar:lib/*", request.classPathAsGiven());
        assertEquals("/home/me", request.directory());
        assertEquals("com.example.Main", request.mainClass());
        assertEquals(List.of("a b", "", "--flag"), request.args());
        assertEquals("", request.variable("EMPTY"));
        assertEquals("C.UTF-8", request.variable("LANG"));
        assertEquals(null, request.variable("LAN"));
        assertArrayEquals(raw, request.raw());
    }

    @Test
    void bytesThatAreNotUtf8_surviveUnchanged() throws IOException {
        byte[] directory = {'/', 't', 'm', 'p', '/', (byte) 0xe9, 't', (byte) 0xe9}; // "/tmp/été" in Latin-1: not UTF-8
        java.io.ByteArrayOutputStream fields = new java.io.ByteArrayOutputStream();
        for (byte[] field : List.of(bytes("012"), bytes("run"), bytes("/cp"), bytes("/cp"), directory, bytes("M"), bytes("0"), bytes("0"))) {
            fields.write(field);
            fields.write(0);
        }
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(8 + fields.size());
        raw.put(RunRequest.MAGIC).putInt(fields.size()).put(fields.toByteArray());
        RunRequest request = RunRequest.decode(raw.array());
        assertArrayEquals(directory, request.directory().getBytes(StandardCharsets.ISO_8859_1), "the bytes chdir(2) gets");
        assertEquals("/tmp/été", RunRequest.decoded(request.directory(), StandardCharsets.ISO_8859_1), "in a Latin-1 locale");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theModes_areARunARunThatWaitsForASpare_andATraining() throws IOException {
        for (String mode : List.of(RunRequest.RUN, RunRequest.WAIT, RunRequest.TRAIN)) {
            assertEquals(mode, RunRequest.decode(RunRequest.encode("012", mode, "/cp", "/cp", "/", "M", List.of(), List.of())).mode());
        }
    }

    @Test
    void aMalformedRequest_isRefusedWithItsReason() {
        byte[] good = RunRequest.encode("012", RunRequest.RUN, "/cp", "/cp", "/", "M", List.of(), List.of());
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] badMode = RunRequest.encode("012", "fly", "/cp", "/cp", "/", "M", List.of(), List.of());
        assertTrue(assertThrows(IOException.class, () -> RunRequest.decode(truncated)).getMessage().contains("ends inside a field"));
        assertTrue(assertThrows(IOException.class, () -> RunRequest.decode(badMode)).getMessage().contains("unknown mode"));
        IOException magic = assertThrows(IOException.class, () -> sendAndReceive(badMagic, new int[0]));
        assertTrue(magic.getMessage().contains("ZHX1"), magic.getMessage());
    }

    @Test
    void descriptors_travelWithTheRequest_andStillWork() throws IOException {
        Path file = dir.resolve("target.txt");
        Files.writeString(file, "");
        int fd = Libc.open(file.toString(), Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CLOEXEC, 0);
        try {
            byte[] raw = RunRequest.encode("1", RunRequest.RUN, "/cp", "/cp", "/", "M", List.of(), List.of("A=" + "x".repeat(200_000)));
            RunRequest.Received received = sendAndReceive(raw, new int[] {fd});
            assertEquals(1, received.fds().length);
            assertEquals(200_002, received.request().environment().getFirst().length(), "a request larger than one read");
            Libc.writeFully(received.fds()[0], "written through the passed descriptor".getBytes(StandardCharsets.UTF_8));
            Libc.close(received.fds()[0]);
            assertEquals("written through the passed descriptor", Files.readString(file));
        } finally {
            Libc.close(fd);
        }
        IOException mismatch = assertThrows(IOException.class, () -> sendAndReceive(
                RunRequest.encode("012", RunRequest.RUN, "/cp", "/cp", "/", "M", List.of(), List.of()), new int[] {0}));
        assertTrue(mismatch.getMessage().contains("names 3 descriptors and 1 came"), mismatch.getMessage());
    }

    private static RunRequest.Received sendAndReceive(byte[] raw, int[] fds) throws IOException {
        int[] pair = Libc.socketPair();
        try {
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    Libc.send(pair[0], raw, fds);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            RunRequest.Received received = RunRequest.receive(pair[1], 0).orElseThrow();
            sender.join();
            return received;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            Libc.close(pair[0]);
            Libc.close(pair[1]);
        }
    }
}
