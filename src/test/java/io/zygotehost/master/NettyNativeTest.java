package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Netty's epoll library is taken out of its jar once, named by its content, and older builds' copies go. */
class NettyNativeTest {

    private static final String FILE = "libnetty_transport_native_epoll_x86_64.so";

    @TempDir
    Path runDir;

    @Test
    void extractsOnceAndRemovesOtherBuildsCopies() throws Exception {
        Path stale = Files.createDirectories(runDir.resolve("native/0000000000000000"));
        Files.writeString(stale.resolve(FILE), "an older build's");

        Path folder = NettyNative.extract(runDir).orElseThrow();
        byte[] original;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/native/" + FILE)) {
            original = in.readAllBytes();
        }
        assertArrayEquals(original, Files.readAllBytes(folder.resolve(FILE)));
        assertFalse(Files.exists(stale), "another build's copy is removed");

        long written = Files.getLastModifiedTime(folder.resolve(FILE)).toMillis();
        assertEquals(folder, NettyNative.extract(runDir).orElseThrow());
        assertEquals(written, Files.getLastModifiedTime(folder.resolve(FILE)).toMillis(), "not written again");
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(folder.resolve(FILE)), files.toList(), "no partial file left");
        }
    }
}
