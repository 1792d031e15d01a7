package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The AOT cache of a version: trained once, used by its workers, reused after a restart, never stale, never fatal. */
class AotCacheIT {

    private static final Duration TRAINING = Duration.ofSeconds(90);
    private static final String TRAINED = "AOT cache trained in";
    private static final String TRAINING_STARTED = "no AOT cache yet: training one";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static String app(Path path, String className, int port) {
        return """
                hello:
                  path: %s
                  class: %s
                  listen: 127.0.0.1:%d
                  workers: 2
                  threads: 0
                  warmup: { path: /, requests: 50 }
                """.formatted(path, className, port);
    }

    /** A copy of hello v1, so that the test owns its jar. */
    private Path helloV1() throws IOException {
        Path release = Files.createDirectories(dir.resolve("releases/v1"));
        Files.copy(RunningHost.HELLO_V1.resolve("hello.jar"), release.resolve("hello.jar"));
        return release;
    }

    @Test
    void theCacheIsTrainedOnceAndReusedAfterARestart() throws Exception {
        // The first host trains the cache once, without talking to the master; the first workers,
        // spawned while it trains, start without it, those spawned after start with it. A second
        // host on the same run_dir trains nothing: same key, same file (same inode, same mtime), and
        // every worker starts with it from the first.
        Path release = helloV1();
        int port = RunningHost.freePort();
        Path cache;
        Object inode;
        FileTime modified;
        try (RunningHost host = RunningHost.start(dir, app(release, "example.hello.HelloApp", port))) {
            host.awaitWorkers("hello", 2);
            for (ProcTree.Proc worker : host.workers("hello")) { // spawned in the training's first seconds
                assertFalse(commandLine(worker.pid()).stream().anyMatch(arg -> arg.startsWith("-XX:AOTCache")));
            }
            awaitAppLog(host, TRAINED);
            assertFalse(host.log().contains("unknown"), "the training never talks to the master:\n" + host.log());
            cache = theCache();
            inode = Files.getAttribute(cache, "unix:ino");
            modified = Files.getLastModifiedTime(cache);
            int replacement = replaceAWorker(host);
            assertTrue(commandLine(replacement).contains("-XX:AOTCache=" + cache), commandLine(replacement).toString());
            assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v1"));
            assertEquals(0, host.stop());
        }
        try (RunningHost host = RunningHost.start(dir, app(release, "example.hello.HelloApp", port))) {
            host.awaitWorkers("hello", 2);
            for (ProcTree.Proc worker : host.workers("hello")) {
                assertTrue(commandLine(worker.pid()).contains("-XX:AOTCache=" + cache), commandLine(worker.pid()).toString());
                assertTrue(maps(worker.pid(), cache), "the JVM took the cache, not only the flag: " + worker);
            }
            assertEquals(200, RunningHost.get(port, "/").statusCode());
            String log = host.appLog("hello");
            assertEquals(1, occurrences(log, TRAINING_STARTED), log);
            assertTrue(log.contains("workers start with the AOT cache " + cache), log);
            assertEquals(inode, Files.getAttribute(cache, "unix:ino"));
            assertEquals(modified, Files.getLastModifiedTime(cache));
            assertEquals(List.of(cache), cacheFiles(), "nothing else in run/aot");
        }
    }

    @Test
    void aJarReplacedInPlaceNeverRunsItsOldClasses() throws Exception {
        // JDK 25 runs the classes of a cache whose jar was replaced with one of the same size and
        // modification time. Here the class itself changes (AAAA -> BBBB), written into the same file
        // (same inode) with the old mtime put back, as cp -p does. Before the reload, a new worker of
        // the old generation gets no cache (its jar is not the one the cache stands for); after it,
        // every answer is BBBB, a new cache is trained under a new key, a worker started with it
        // answers BBBB too, and the old cache goes with the old generation.
        Path release = Files.createDirectories(dir.resolve("releases/stale"));
        Path jar = release.resolve("app.jar");
        byte[] classesA = staleJar("AAAA");
        byte[] classesB = staleJar("BBBB");
        assertEquals(classesA.length, classesB.length, "the test wants the same size");
        Files.write(jar, classesA);
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, app(release, "stale.StaleApp", port))) {
            host.awaitWorkers("hello", 2);
            awaitAppLog(host, TRAINED);
            Path oldCache = theCache();
            int withCache = replaceAWorker(host);
            assertTrue(commandLine(withCache).contains("-XX:AOTCache=" + oldCache));
            assertEquals("class AAAA\n", RunningHost.get(port, "/").body());

            FileTime modified = Files.getLastModifiedTime(jar);
            Object inode = Files.getAttribute(jar, "unix:ino");
            Files.write(jar, classesB); // in place: truncate and write
            Files.setLastModifiedTime(jar, modified);
            assertEquals(inode, Files.getAttribute(jar, "unix:ino"));
            int afterReplace = replaceAWorker(host);
            assertFalse(commandLine(afterReplace).stream().anyMatch(arg -> arg.startsWith("-XX:AOTCache")),
                    commandLine(afterReplace).toString());
            assertTrue(host.appLog("hello").contains("changed since this generation started"), host.appLog("hello"));

            RunningHost.Result reload = host.command("reload");
            assertEquals(0, reload.exit(), reload.output());
            for (int i = 0; i < 50; i++) {
                assertEquals("class BBBB\n", RunningHost.get(port, "/").body());
            }
            awaitAppLog(host, TRAINED, 2);
            RunningHost.await("the old generation's cache is removed", Duration.ofSeconds(30), () -> !Files.exists(oldCache));
            Path newCache = theCache();
            assertNotEquals(oldCache, newCache);
            int withNewCache = replaceAWorker(host);
            assertTrue(commandLine(withNewCache).contains("-XX:AOTCache=" + newCache));
            for (int i = 0; i < 50; i++) {
                assertEquals("class BBBB\n", RunningHost.get(port, "/").body());
            }
        }
    }

    @Test
    void aCorruptedCacheFallsBackToANormalStart() throws Exception {
        // Between two runs of the host, a megabyte in the middle of the cache file turns to garbage
        // (its header stays valid, the hard case: unchecked, it crashes the JVM). Workers are still
        // given the file; the JVM refuses it with a warning in the app's log, and they start and serve.
        Path release = helloV1();
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, app(release, "example.hello.HelloApp", port))) {
            host.awaitWorkers("hello", 2);
            awaitAppLog(host, TRAINED);
            assertEquals(0, host.stop());
        }
        Path cache = theCache();
        byte[] garbage = new byte[1 << 20];
        new java.util.Random(1).nextBytes(garbage);
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(cache, java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(garbage), file.size() / 2);
        }
        int firstRunLog = host0AppLogLength();
        try (RunningHost host = RunningHost.start(dir, app(release, "example.hello.HelloApp", port))) {
            host.awaitWorkers("hello", 2);
            for (ProcTree.Proc worker : host.workers("hello")) {
                assertTrue(commandLine(worker.pid()).contains("-XX:AOTCache=" + cache));
                assertFalse(maps(worker.pid(), cache), "a damaged cache is refused, not mapped: " + worker);
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(200, RunningHost.get(port, "/").statusCode());
            }
            String log = host.appLog("hello").substring(firstRunLog); // this run's lines only
            assertTrue(log.contains("][aot]"), "the JVM's own warning about the cache:\n" + log);
            assertFalse(host.log().contains("died young"), host.log());
        }
    }

    // ---- helpers ----

    private void awaitAppLog(RunningHost host, String text) {
        awaitAppLog(host, text, 1);
    }

    private void awaitAppLog(RunningHost host, String text, int times) {
        RunningHost.await("the app's log says \"" + text + "\" " + times + " times", TRAINING, () -> {
            try {
                return occurrences(host.appLog("hello"), text) >= times;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("run/aot"))) {
            return files.sorted().toList();
        }
    }

    /** The one finished cache in run/aot (a training writes KEY.aot.PID.tmp). */
    private Path theCache() throws IOException {
        List<Path> caches = cacheFiles().stream()
                .filter(file -> file.getFileName().toString().matches("[0-9a-f]{64}\\.aot")).toList();
        assertEquals(1, caches.size(), caches.toString());
        return caches.getFirst();
    }

    /** SIGKILLs one worker and returns the pid of its ready replacement. */
    private static int replaceAWorker(RunningHost host) {
        Set<Integer> before = ServingIT.pids(host.workers("hello"));
        int victim = before.iterator().next();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        RunningHost.await("worker " + victim + " is replaced", Duration.ofSeconds(60),
                () -> !ServingIT.pids(host.workers("hello")).contains(victim) && host.workers("hello").size() == 2);
        host.awaitWorkers("hello", 2);
        return ServingIT.pids(host.workers("hello")).stream().filter(pid -> !before.contains(pid)).findFirst().orElseThrow();
    }

    /** The app log's length after the first host of a test stopped: the second one's lines come after it. */
    private int host0AppLogLength() throws IOException {
        Path file = dir.resolve("logs/hello.log");
        return Files.exists(file) ? Files.readString(file).length() : 0;
    }

    /** Whether the process has the file mapped: a JVM that uses an AOT cache maps it. */
    private static boolean maps(int pid, Path file) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/maps")).contains(file.toString());
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> commandLine(int pid) {
        try {
            String raw = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
            return Arrays.asList(raw.split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * A release jar of an app whose class answers {@code class WORD}: compiled here, so that two
     * words of one length make two jars of one size whose only difference is in the class's bytes.
     */
    private byte[] staleJar(String word) throws IOException {
        Path source = Files.createDirectories(dir.resolve("src-" + word + "/stale")).resolve("StaleApp.java");
        Files.writeString(source, """
                package stale;

                import io.netty.handler.codec.http.HttpResponseStatus;
                import io.zygotehost.api.AppContext;
                import io.zygotehost.api.Application;
                import io.zygotehost.api.HttpHandler;
                import io.zygotehost.api.Responses;

                public final class StaleApp implements Application {
                    @Override
                    public HttpHandler start(AppContext context) {
                        return request -> Responses.text(HttpResponseStatus.OK, "class %s\\n");
                    }
                }
                """.formatted(word));
        Path classes = Files.createDirectories(dir.resolve("classes-" + word));
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), source.toString());
        assertEquals(0, status, "javac of " + source);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = bytes; JarOutputStream jar = new JarOutputStream(out)) {
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    byte[] content = Files.readAllBytes(file);
                    JarEntry entry = new JarEntry(classes.relativize(file).toString());
                    entry.setMethod(JarEntry.STORED); // stored: equal-size classes make equal-size jars
                    entry.setSize(content.length);
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    entry.setCrc(crc.getValue());
                    entry.setTime(0);
                    jar.putNextEntry(entry);
                    jar.write(content);
                    jar.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }
}
