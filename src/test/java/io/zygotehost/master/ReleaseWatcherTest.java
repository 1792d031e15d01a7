package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** watch: true, polled by hand: a change is reported once, after it held still for one poll. */
class ReleaseWatcherTest {

    @TempDir
    Path dir;
    private final List<String> redeploys = new ArrayList<>();
    private final ReleaseWatcher watcher = new ReleaseWatcher(redeploys::add);

    private Path release(String name) throws Exception {
        Path release = Files.createDirectories(dir.resolve(name));
        Files.writeString(release.resolve("app.jar"), "jar of " + name);
        return release;
    }

    @Test
    void aMovedSymlinkMakesOneRedeployOnceItHoldsStill() throws Exception {
        // The link moves v1 -> v2: the next poll sees it move, the one after sees it still, and reports it once.
        release("v1");
        release("v2");
        Path current = dir.resolve("current");
        Files.createSymbolicLink(current, Path.of("v1"));
        watcher.watch(Map.of("hello", current));
        watcher.poll();
        Files.delete(current);
        Files.createSymbolicLink(current, Path.of("v2"));
        watcher.poll();
        assertEquals(List.of(), redeploys, "still moving: not yet");
        watcher.poll();
        assertEquals(List.of("hello"), redeploys);
        watcher.poll();
        assertEquals(List.of("hello"), redeploys, "once");
    }

    @Test
    void aJarReplacedInPlaceIsAChange() throws Exception {
        // Same folder, new bytes (another size and time): a redeploy.
        Path v1 = release("v1");
        watcher.watch(Map.of("hello", v1));
        watcher.poll();
        Files.writeString(v1.resolve("app.jar"), "a rebuilt jar, longer than before");
        Files.setLastModifiedTime(v1.resolve("app.jar"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        watcher.poll();
        watcher.poll();
        assertEquals(List.of("hello"), redeploys);
    }

    @Test
    void aBurstOfChangesMakesOneRedeploy() throws Exception {
        // Jars still being copied at each poll: nothing until the copying stops, then one redeploy.
        Path v1 = release("v1");
        watcher.watch(Map.of("hello", v1));
        watcher.poll();
        for (int i = 0; i < 5; i++) {
            Files.writeString(v1.resolve("lib" + i + ".jar"), "library " + i);
            watcher.poll();
        }
        assertEquals(List.of(), redeploys);
        watcher.poll();
        assertEquals(List.of("hello"), redeploys);
    }

    @Test
    void anAppNotWatchedIsNeverReported() throws Exception {
        // Unwatched (or removed by a reload) apps are forgotten.
        Path v1 = release("v1");
        watcher.watch(Map.of("hello", v1));
        watcher.poll();
        watcher.watch(Map.of());
        Files.writeString(v1.resolve("app.jar"), "changed, but nobody watches");
        watcher.poll();
        watcher.poll();
        assertEquals(List.of(), redeploys);
    }
}
