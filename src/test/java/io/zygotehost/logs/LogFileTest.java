package io.zygotehost.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.core.ContextBase;
import io.zygotehost.config.LogRotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFileTest {

    @TempDir
    Path dir;

    private static byte[] line(int i) {
        return ("line %03d of thirty bytes....\n".formatted(i)).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aFileRotatesAtMaxSizeKeepingTheNewestOldFiles() throws Exception {
        // 100 bytes a file, 3 kept: FILE.1 is the newest old file, FILE.4 never exists, lines never split.
        Path file = dir.resolve("app.log");
        LogFile log = new LogFile(file, new LogRotation(100, 3, Duration.ZERO), new ContextBase());
        for (int i = 0; i < 20; i++) {
            log.write(line(i));
        }
        log.close();
        assertTrue(Files.exists(dir.resolve("app.log.3")));
        assertFalse(Files.exists(dir.resolve("app.log.4")), "keep: 3");
        String newest = Files.readString(dir.resolve("app.log.1")) + Files.readString(file);
        assertTrue(newest.endsWith(new String(line(19), StandardCharsets.US_ASCII)), newest);
        for (String name : new String[] {"app.log", "app.log.1", "app.log.2", "app.log.3"}) {
            String text = Files.readString(dir.resolve(name));
            assertTrue(text.lines().allMatch(l -> l.matches("line \\d{3} of thirty bytes\\.{4}")), name + ":\n" + text);
            assertTrue(Files.size(dir.resolve(name)) <= 100 + 30, name + " rotates once past max_size");
        }
    }

    @Test
    void aFileWrittenLongerThanEveryRotatesThoughItIsSmall() throws Exception {
        // every: 200ms; a write after that rotates the non-empty file.
        Path file = dir.resolve("app.log");
        LogFile log = new LogFile(file, new LogRotation(1 << 20, 3, Duration.ofMillis(200)), new ContextBase());
        log.write(line(1));
        Thread.sleep(300);
        log.write(line(2));
        log.close();
        assertEquals(new String(line(1), StandardCharsets.US_ASCII), Files.readString(dir.resolve("app.log.1")));
        assertEquals(new String(line(2), StandardCharsets.US_ASCII), Files.readString(file));
    }

    @Test
    void reopenStartsANewFileAfterAMove() throws Exception {
        // What an external logrotate does: move the file, then SIGUSR1.
        Path file = dir.resolve("app.log");
        LogFile log = new LogFile(file, LogRotation.DEFAULT, new ContextBase());
        log.write(line(1));
        Files.move(file, dir.resolve("moved.log"));
        log.reopen();
        log.write(line(2));
        log.close();
        assertEquals(new String(line(1), StandardCharsets.US_ASCII), Files.readString(dir.resolve("moved.log")));
        assertEquals(new String(line(2), StandardCharsets.US_ASCII), Files.readString(file));
    }

    @Test
    void eachLineOfAChunkGetsThePrefix() {
        byte[] prefixed = HostLogs.prefixed("a\nb\n".getBytes(StandardCharsets.UTF_8), "hello@v1 #2 pid 7");
        String[] lines = new String(prefixed, StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} hello@v1 #2 pid 7 \\| a"), lines[0]);
        assertTrue(lines[1].endsWith("hello@v1 #2 pid 7 | b"), lines[1]);
    }
}
