package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the master removes from run_dir/aot: every file no generation needs, and nothing else. */
class AotCachesTest {

    private static final String KEY_A = "a".repeat(64);
    private static final String KEY_B = "b".repeat(64);

    @TempDir
    Path runDir;

    @Test
    void aNeededCacheStaysAndTheOthersGo() {
        // KEY_A's generation lives; KEY_B's was forgotten; the rest is not ours to keep.
        List<String> names = List.of(KEY_A + ".aot", KEY_B + ".aot", KEY_B + ".aot.42.tmp", "notes.txt");
        assertEquals(List.of(KEY_B + ".aot", KEY_B + ".aot.42.tmp", "notes.txt"),
                AotCaches.unneeded(names, Set.of(KEY_A), true));
    }

    @Test
    void aRunningTrainingsFileStaysWhileTrainingsMayRunAndGoesAtStart() {
        // At start no zygote runs yet, so a training file is what a killed host left half-written.
        List<String> names = List.of(KEY_A + ".aot", KEY_A + ".aot.4242.tmp", KEY_A + ".aot.4242.tmp.config");
        assertEquals(List.of(), AotCaches.unneeded(names, Set.of(KEY_A), true));
        assertEquals(List.of(KEY_A + ".aot.4242.tmp", KEY_A + ".aot.4242.tmp.config"),
                AotCaches.unneeded(names, Set.of(KEY_A), false));
    }

    @Test
    void nothingIsNeededWhenNoGenerationIsLeft() {
        assertEquals(List.of(KEY_A + ".aot"), AotCaches.unneeded(List.of(KEY_A + ".aot"), Set.of(), true));
    }

    @Test
    void removalStaysInsideTheFolder() throws Exception {
        // A folder inside is left alone; a symlink is removed, its target outside never touched.
        AotCaches caches = AotCaches.open(runDir).orElseThrow();
        Path aot = runDir.resolve("aot");
        Path outside = Files.writeString(runDir.resolve("precious.txt"), "keep me");
        Files.createSymbolicLink(aot.resolve(KEY_B + ".aot"), outside);
        Files.createDirectories(aot.resolve("folder")).resolve("inner.aot");
        Files.writeString(aot.resolve("folder/inner.aot"), "x");
        Files.writeString(aot.resolve(KEY_A + ".aot"), "cache a");
        Files.writeString(aot.resolve("stray.aot"), "x");

        caches.removeUnneeded(List.of(aot.resolve(KEY_A + ".aot")), true);

        assertTrue(Files.exists(aot.resolve(KEY_A + ".aot")));
        assertTrue(Files.notExists(aot.resolve(KEY_B + ".aot"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.notExists(aot.resolve("stray.aot")));
        assertEquals("keep me", Files.readString(outside));
        assertTrue(Files.exists(aot.resolve("folder/inner.aot")));
    }
}
