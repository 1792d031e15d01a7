package io.zygotehost.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.config.Warmup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zygote's guard: a class-path jar replaced since the key was computed is seen, however it was replaced. */
class AotCacheSpecTest {

    @TempDir
    Path dir;

    private AotCacheSpec spec(Path... jars) throws Exception {
        List<FileStamp> stamps = new java.util.ArrayList<>();
        for (Path jar : jars) {
            stamps.add(FileStamp.of(jar));
        }
        return new AotCacheSpec(dir.resolve("k.aot"), stamps, 30_000, Warmup.DEFAULT);
    }

    @Test
    void anUntouchedClassPathIsUnchanged() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "v1");
        assertTrue(spec(jar).firstChanged().isEmpty());
    }

    @Test
    void aJarOverwrittenWithTheSameSizeAndTimeIsSeen() throws Exception {
        // cp -p of another release's jar over this one: same size, same mtime, other bytes.
        Path jar = Files.writeString(dir.resolve("app.jar"), "v1");
        FileTime time = Files.getLastModifiedTime(jar);
        AotCacheSpec spec = spec(jar);
        Thread.sleep(20); // the change time moves on
        Files.writeString(jar, "v2");
        Files.setLastModifiedTime(jar, time);
        assertEquals(Optional.of(jar.toString()), spec.firstChanged());
    }

    @Test
    void aJarRenamedOverThisOneIsSeen() throws Exception {
        // A deploy tool's atomic replace: a new inode under the old name.
        Path jar = Files.writeString(dir.resolve("app.jar"), "v1");
        AotCacheSpec spec = spec(jar);
        Path next = Files.writeString(dir.resolve("app.jar.new"), "v2");
        Files.setLastModifiedTime(next, Files.getLastModifiedTime(jar));
        Files.move(next, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertTrue(spec.firstChanged().isPresent());
    }

    @Test
    void aMissingWarmUpStillTrainsAHandfulOfRequests() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "v1");
        assertEquals(AotCacheSpec.REQUESTS_WITHOUT_WARMUP, spec(jar).trainingRequests());
        assertEquals(200, new AotCacheSpec(dir.resolve("k.aot"), List.of(), 1, new Warmup("/", 200)).trainingRequests());
    }

    @Test
    void theSpecTravelsToTheZygoteWhole() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "v1");
        AotCacheSpec aot = new AotCacheSpec(dir.resolve("k.aot"), List.of(FileStamp.of(jar)), 30_000, new Warmup("/ping", 50));
        GenerationSpec spec = new GenerationSpec("hello", "v1", 3, "example.App", List.of(), 0, 1024, 60_000,
                io.zygotehost.config.HttpLimits.DEFAULT, new Warmup("/ping", 50), 15_000, dir.resolve("ipc.sock"), List.of("java", "Main"), java.util.Map.of(), aot,
                new RunAs("nobody", 65534, 65534), new TlsFiles(dir.resolve("t.crt"), dir.resolve("t.key"), "ab12"));
        String json = spec.toJson();
        GenerationSpec back = GenerationSpec.fromJson(json);
        assertEquals(spec, back);
    }
}
