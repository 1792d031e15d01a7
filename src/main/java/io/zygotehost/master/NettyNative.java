package io.zygotehost.master;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's epoll library, taken out of its jar once per host build into {@code run_dir/native/HASH/}.
 * Left to itself, every worker JVM copies the library out of the jar into a new temporary file,
 * loads it and deletes it; but Netty tries {@code System.loadLibrary} on java.library.path first, so
 * with this folder on that path every worker loads the same file, and shares its pages.
 */
final class NettyNative {

    private static final Logger log = LoggerFactory.getLogger("master");
    /** The name Netty's epoll transport loads first (io.netty.channel.epoll.Native). */
    private static final String LIBRARY = "netty_transport_native_epoll_" + PlatformDependent.normalizedArch();

    private NettyNative() {}

    /**
     * The folder holding the library, extracted if need be; empty (and logged) when it cannot be,
     * and workers then extract it themselves as usual. Folders of other builds are removed.
     */
    static Optional<Path> extract(Path runDir) {
        String file = System.mapLibraryName(LIBRARY);
        try (InputStream in = NettyNative.class.getClassLoader().getResourceAsStream("META-INF/native/" + file)) {
            if (in == null) {
                return Optional.empty(); // not this platform's natives: the workers say so when they load epoll
            }
            byte[] library = in.readAllBytes();
            Path parent = runDir.resolve("native");
            Path folder = parent.resolve(new Sha256().bytes(library).hex().substring(0, 16));
            if (!Files.exists(folder.resolve(file))) {
                Files.createDirectories(folder);
                Path partial = Files.createTempFile(folder, file, ".partial");
                Files.write(partial, library);
                Files.move(partial, folder.resolve(file), StandardCopyOption.ATOMIC_MOVE);
            }
            // Workers of an app that runs as another user load it too (createTempFile made it 0600).
            Files.setPosixFilePermissions(folder.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
            try (Stream<Path> builds = Files.list(parent)) {
                builds.filter(other -> !other.equals(folder)).forEach(NettyNative::delete);
            }
            return Optional.of(folder);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot extract Netty's {} into {}: each worker extracts its own copy", file, runDir, e);
            return Optional.empty();
        }
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
            Files.delete(folder);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", folder, e.toString());
        }
    }
}
