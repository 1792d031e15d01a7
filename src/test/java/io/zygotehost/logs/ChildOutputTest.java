package io.zygotehost.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real named pipe between this test, as the child, and the reader, as the master. */
class ChildOutputTest {

    @TempDir
    Path dir;

    private final List<String> chunks = new CopyOnWriteArrayList<>();
    private final List<ChildOutput> ended = new CopyOnWriteArrayList<>();

    private ChildOutput started() throws Exception {
        return new ChildOutput(dir.resolve("w.out"), bytes -> chunks.add(new String(bytes, StandardCharsets.UTF_8)),
                ended::add).start(null);
    }

    @Test
    void wholeLinesAreHandedOnAndTheLastWordsGetANewline() throws Exception {
        // A line split across two writes arrives whole; the child's last line without a newline is not lost.
        ChildOutput output = started();
        try (OutputStream child = new FileOutputStream(output.path().toFile())) {
            child.write("first\nsec".getBytes(StandardCharsets.UTF_8));
            child.flush();
            Thread.sleep(50);
            child.write("ond\nlast words".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(output.awaitEnd(5000), "the reader ends when the child closes its end");
        assertEquals("first\nsecond\nlast words\n", String.join("", chunks));
        chunks.forEach(chunk -> assertTrue(chunk.endsWith("\n"), "a chunk of whole lines: " + chunk));
        assertEquals(List.of(output), ended);
        assertFalse(Files.exists(output.path()), "the pipe's name is gone");
    }

    @Test
    void aLineLongerThanAChunkIsCutNotHeldForEver() throws Exception {
        // 100k without a newline: handed on in pieces, nothing lost.
        ChildOutput output = started();
        String longLine = "x".repeat(100_000);
        try (OutputStream child = new FileOutputStream(output.path().toFile())) {
            child.write((longLine + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(output.awaitEnd(5000));
        assertEquals(longLine, String.join("", chunks).replace("\n", ""));
        assertTrue(chunks.size() >= 2, "cut at " + ChildOutput.CHUNK + " bytes");
    }

    @Test
    void aChildThatNeverOpenedThePipeIsNotWaitedFor() throws Exception {
        // It died before its open: the reader stops waiting, and the pipe is removed.
        ChildOutput output = started();
        Thread.sleep(50); // the reader is waiting in open()
        output.writerGone();
        assertTrue(output.awaitEnd(5000), "the reader ends");
        assertEquals(List.of(), chunks);
        assertFalse(Files.exists(output.path()));
    }
}
