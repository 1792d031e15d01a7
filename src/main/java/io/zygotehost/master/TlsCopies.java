package io.zygotehost.master;

import io.zygotehost.config.TlsConfig;
import io.zygotehost.ipc.RunAs;
import io.zygotehost.ipc.TlsFiles;
import io.zygotehost.tls.PemCredentials;
import io.zygotehost.tls.TlsFileException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's copies of apps' {@code tls:} files, {@code FINGERPRINT.crt} and {@code .key} in a
 * place's {@code tls/} folder, which a generation's workers read (see {@link TlsFiles}). The master
 * reads the originals, as root if need be (a key is usually readable by root alone), when it makes
 * the generation; its workers, running as the app's user maybe, read the copy it owns. A new
 * certificate on disk is picked up by the next reload: new bytes, new fingerprint, new generation.
 */
final class TlsCopies {

    private static final Logger log = LoggerFactory.getLogger("master");
    private static final String CERT = ".crt";
    private static final String KEY = ".key";

    private TlsCopies() {}

    /**
     * Copies the files into {@code dir}, owned by the account the workers run as, and checks that the
     * copies are the pair the config was checked with (a certificate renewed in between is refused:
     * the next reload takes it).
     */
    static TlsFiles copy(TlsConfig tls, Path dir, Optional<RunAs> owner) throws IOException {
        Path cert = dir.resolve(tls.fingerprint() + CERT);
        Path key = dir.resolve(tls.fingerprint() + KEY);
        place(tls.cert(), cert, owner);
        place(tls.key(), key, owner);
        try {
            PemCredentials copied = PemCredentials.read(cert, key);
            if (!copied.fingerprint().equals(tls.fingerprint())) {
                throw new IOException("tls: " + tls.cert() + " or " + tls.key() + " changed since the config was read;"
                        + " reload again to take the new files");
            }
            return new TlsFiles(cert, key, tls.fingerprint());
        } catch (TlsFileException | IOException e) {
            Files.deleteIfExists(cert);
            Files.deleteIfExists(key);
            throw e instanceof IOException io ? io : new IOException("tls: " + e.getMessage(), e);
        }
    }

    /** A private copy: written beside, readable by its owner only, then renamed into place whole. */
    private static void place(Path original, Path copy, Optional<RunAs> owner) throws IOException {
        Path partial = Files.createTempFile(copy.getParent(), copy.getFileName().toString(), ".partial");
        try {
            Files.copy(original, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("r--------"));
            if (owner.isPresent()) {
                AccountDirs.chown(partial, owner.get());
            }
            Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Removes every copy (and leftover) in these folders whose fingerprint no generation uses: no old key lingers. */
    static void removeUnneeded(List<Path> dirs, Set<String> neededFingerprints) {
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    int dot = name.indexOf('.');
                    if (dot < 0 || !neededFingerprints.contains(name.substring(0, dot)) || name.endsWith(".partial")) {
                        Files.deleteIfExists(file);
                        log.info("removed TLS copy {}: no generation uses it", file);
                    }
                }
            } catch (IOException e) {
                log.warn("cannot clean up the TLS copies in {}: {}", dir, e.toString());
            }
        }
    }

    static Set<String> fingerprints(Collection<TlsFiles> inUse) {
        return inUse.stream().map(TlsFiles::fingerprint).collect(Collectors.toSet());
    }
}
