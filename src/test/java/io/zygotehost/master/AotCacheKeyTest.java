package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AOT cache key changes with every input a worker's classes depend on, and with nothing else. */
class AotCacheKeyTest {

    @TempDir
    Path dir;

    private static final String JDK = "25.0.1+8-LTS 25.0.1+8-LTS";
    private static final List<String> COMMAND = List.of("/jdk/bin/java", "-Xmx64m", "-XX:+UseSerialGC", "-cp", "host.jar:app.jar",
            "io.zygotehost.worker.WorkerMain");

    /** A jar with one entry holding {@code text}, stored uncompressed so that equal-length texts make equal-size jars. */
    private Path jar(String name, String text, String manifestClassPath) throws Exception {
        Path jar = dir.resolve(name);
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (manifestClassPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, manifestClassPath);
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            JarEntry entry = new JarEntry("App.class");
            entry.setMethod(JarEntry.STORED);
            entry.setSize(bytes.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes);
            entry.setCrc(crc.getValue());
            entry.setTime(0);
            out.putNextEntry(entry);
            out.write(bytes);
            out.closeEntry();
        }
        return jar;
    }

    private static String key(List<String> command, List<Path> classPath, Map<String, String> env, String jdk) throws Exception {
        return AotCacheKey.compute(command, AotCacheKey.jarsOf(classPath), env, jdk);
    }

    @Test
    void theSameInputsGiveTheSameKey() throws Exception {
        // Reused across host restarts: nothing time- or process-dependent goes into it.
        List<Path> classPath = List.of(jar("host.jar", "host", null), jar("app.jar", "app v1", null));
        String key = key(COMMAND, classPath, Map.of("HOME", "/root"), JDK);
        assertEquals(key, key(COMMAND, classPath, Map.of("HOME", "/elsewhere", "OTHER", "x"), JDK));
        assertEquals(64, key.length());
    }

    @Test
    void aJarReplacedInPlaceWithTheSameSizeAndTimeGivesANewKey() throws Exception {
        // The case JDK 25 misses: same path, same size, same modification time, other classes.
        Path host = jar("host.jar", "host", null);
        Path app = jar("app.jar", "app v1", null);
        FileTime time = Files.getLastModifiedTime(app);
        String before = key(COMMAND, List.of(host, app), Map.of(), JDK);
        long size = Files.size(app);
        jar("app.jar", "app v2", null);
        Files.setLastModifiedTime(app, time);
        assertEquals(size, Files.size(app), "the test needs an identical size");
        assertNotEquals(before, key(COMMAND, List.of(host, app), Map.of(), JDK));
    }

    @Test
    void aHostJarChangeGivesANewKeyToo() throws Exception {
        Path host = jar("host.jar", "host 1", null);
        Path app = jar("app.jar", "app", null);
        String before = key(COMMAND, List.of(host, app), Map.of(), JDK);
        jar("host.jar", "host 2", null);
        assertNotEquals(before, key(COMMAND, List.of(host, app), Map.of(), JDK));
    }

    @Test
    void aJarNamedByAManifestClassPathIsCovered() throws Exception {
        // The JVM loads from manifest Class-Path jars too, so their bytes are part of the key.
        Path app = jar("app.jar", "app", "lib/dep.jar");
        jar("lib/dep.jar", "dep 1", null);
        String before = key(COMMAND, List.of(app), Map.of(), JDK);
        jar("lib/dep.jar", "dep 2", null);
        assertNotEquals(before, key(COMMAND, List.of(app), Map.of(), JDK));
        assertEquals(List.of(app, dir.resolve("lib/dep.jar")), AotCacheKey.jarsOf(List.of(app)));
    }

    @Test
    void otherFlagsGiveANewKey() throws Exception {
        List<Path> classPath = List.of(jar("app.jar", "app", null));
        String key = key(COMMAND, classPath, Map.of(), JDK);
        List<String> biggerHeap = COMMAND.stream().map(flag -> flag.equals("-Xmx64m") ? "-Xmx128m" : flag).toList();
        assertNotEquals(key, key(biggerHeap, classPath, Map.of(), JDK));
        assertNotEquals(key, key(COMMAND, classPath, Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC"), JDK));
    }

    @Test
    void anotherJdkGivesANewKey() throws Exception {
        List<Path> classPath = List.of(jar("app.jar", "app", null));
        assertNotEquals(key(COMMAND, classPath, Map.of(), JDK), key(COMMAND, classPath, Map.of(), "25.0.2+10-LTS 25.0.2+10-LTS"));
    }

    @Test
    void jarOrderMatters() throws Exception {
        // The first jar with a class wins: swapping them can change which class runs.
        Path a = jar("a.jar", "a", null);
        Path b = jar("b.jar", "b", null);
        assertNotEquals(key(COMMAND, List.of(a, b), Map.of(), JDK), key(COMMAND, List.of(b, a), Map.of(), JDK));
    }

    @Test
    void theAppsOwnAotFlagsOrAClassFolderMeanNoCacheOfOurs() throws Exception {
        Path app = jar("app.jar", "app", null);
        assertTrue(AotCacheKey.unsupported(COMMAND, List.of(app)).isEmpty());
        List<String> ownCache = new java.util.ArrayList<>(COMMAND);
        ownCache.add(1, "-XX:AOTCache=/elsewhere.aot");
        assertTrue(AotCacheKey.unsupported(ownCache, List.of(app)).orElseThrow().contains("-XX:AOTCache=/elsewhere.aot"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertTrue(AotCacheKey.unsupported(COMMAND, List.of(classes, app)).orElseThrow().contains("not a jar file"));
    }
}
