package io.zygotehost.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading PSS and RSS from /proc/PID/smaps_rollup: the text format, this JVM, a process that is gone. */
class ProcessMemoryTest {

    /** `cat /proc/self/smaps_rollup` on the development machine (Linux 6.x). */
    private static final String SAMPLE = """
            55cdcf0be000-7ffc0fd4b000 ---p 00000000 00:00 0                          [rollup]
            Rss:                1608 kB
            Pss:                 284 kB
            Pss_Dirty:           112 kB
            Pss_Anon:            112 kB
            Pss_File:            172 kB
            Pss_Shmem:             0 kB
            Shared_Clean:       1460 kB
            Shared_Dirty:          0 kB
            Private_Clean:        36 kB
            Private_Dirty:       112 kB
            Referenced:         1608 kB
            Anonymous:           112 kB
            KSM:                   0 kB
            LazyFree:              0 kB
            AnonHugePages:         0 kB
            ShmemPmdMapped:        0 kB
            FilePmdMapped:         0 kB
            Shared_Hugetlb:        0 kB
            Private_Hugetlb:       0 kB
            Swap:                  0 kB
            SwapPss:               0 kB
            Locked:                0 kB
            """;

    @Test
    void parsesPssAndRssInBytesAndIgnoresTheOtherPssFields() {
        ProcessMemory memory = ProcessMemory.parse(SAMPLE);
        assertEquals(284 * 1024L, memory.pss());
        assertEquals(1608 * 1024L, memory.rss());
    }

    @Test
    void aTextWithoutPssIsAnError() {
        String withoutPss = SAMPLE.lines().filter(line -> !line.startsWith("Pss:"))
                .reduce("", (text, line) -> text + line + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessMemory.parse(withoutPss));
        assertTrue(e.getMessage().contains("no Pss line"), e.getMessage());
    }

    @Test
    void aValueNotInKilobytesIsAnError() {
        String text = SAMPLE.replace("Pss:                 284 kB", "Pss:                 284 MB");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessMemory.parse(text));
        assertTrue(e.getMessage().contains("284 MB"), e.getMessage());
    }

    @Test
    void describesInRoundedMegabytes() {
        assertEquals("PSS 71 MB, RSS 98 MB",
                new ProcessMemory(71 * 1024 * 1024L + 400_000, 98 * 1024 * 1024L - 400_000).describe());
    }

    @Test
    void readsThisJvm() {
        ProcessMemory memory = ProcessMemory.of((int) ProcessHandle.current().pid()).orElseThrow();
        assertTrue(memory.pss() > 0, memory.describe());
        assertTrue(memory.rss() >= memory.pss(), memory.describe());
    }

    @Test
    void aProcessThatIsGoneHasNoMemory() throws Exception {
        Process process = new ProcessBuilder("true").start();
        assertEquals(0, process.waitFor()); // waitFor reaps it, so /proc/PID is gone
        Optional<ProcessMemory> memory = ProcessMemory.of((int) process.pid());
        assertFalse(memory.isPresent(), () -> "pid " + process.pid() + ": " + memory);
    }
}
