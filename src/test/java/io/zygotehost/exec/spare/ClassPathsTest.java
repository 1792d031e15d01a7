package io.zygotehost.exec.spare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** java.class.path as the launcher shows it: wildcards expanded to jars, relative entries kept relative. */
class ClassPathsTest {

    @TempDir
    Path dir;

    @Test
    void aWildcardBecomesItsJars_andOtherEntriesStay() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.createFile(lib.resolve("a.jar"));
        Files.createFile(lib.resolve("B.JAR"));
        Files.createFile(lib.resolve("notes.txt"));
        Files.createDirectories(dir.resolve("empty"));
        String expanded = ClassPaths.expandWildcards("classes:lib/*:empty/*:missing/*:x.jar", dir);
        List<String> entries = List.of(expanded.split(":"));
        assertEquals("classes", entries.getFirst());
        assertEquals(Set.of("lib/a.jar", "lib/B.JAR"), Set.copyOf(entries.subList(1, 3)));
        assertEquals(List.of("empty/*", "missing/*", "x.jar"), entries.subList(3, 6), "kept when nothing to expand");
    }

    @Test
    void aLoneStar_isTheJarsOfTheWorkingDirectory() throws IOException {
        Files.createFile(dir.resolve("only.jar"));
        assertEquals("only.jar", ClassPaths.expandWildcards("*", dir));
    }
}
