package io.zygotehost.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A class path on disk: which changes retire the spares started before them. */
class ExecClassPathTest {

    @TempDir
    Path dir;

    @Test
    void aJarReplacedInPlace_isAChange() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "v1");
        ExecClassPath classPath = ExecClassPath.of(jar.toString());
        assertTrue(classPath.unchanged());
        Path next = Files.writeString(dir.resolve("app.jar.new"), "v2");
        Files.move(next, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertFalse(classPath.unchanged());
    }

    @Test
    void aJarAddedUnderAWildcard_isAChange_aClassFileInAFolderIsNot() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("a.jar"), "a");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        ExecClassPath classPath = ExecClassPath.of(classes + ":" + lib + "/*");
        assertEquals(List.of(classes, lib.resolve("a.jar")), classPath.entries());
        Files.writeString(classes.resolve("Main.class"), "read at the run: no spare has it");
        assertTrue(classPath.unchanged());
        Files.writeString(lib.resolve("b.jar"), "b");
        assertFalse(classPath.unchanged());
    }

    @Test
    void aMissingJarThatAppears_isAChange() throws IOException {
        ExecClassPath classPath = ExecClassPath.of(dir.resolve("later.jar").toString());
        assertTrue(classPath.unchanged());
        Files.writeString(dir.resolve("later.jar"), "now");
        assertFalse(classPath.unchanged());
    }
}
