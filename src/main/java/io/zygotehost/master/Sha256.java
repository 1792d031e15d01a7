package io.zygotehost.master;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A SHA-256 over strings, bytes and whole files, in the order they are added: release hashes, AOT cache keys, NettyNative's folder. */
final class Sha256 {

    private final MessageDigest digest;
    private final byte[] buffer = new byte[64 * 1024];

    Sha256() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Ends with a NUL, so that ("ab", "c") and ("a", "bc") hash differently. */
    Sha256 text(String value) {
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        return this;
    }

    Sha256 bytes(byte[] value) {
        digest.update(value);
        return this;
    }

    Sha256 file(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return this;
    }

    String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
