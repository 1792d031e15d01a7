package io.zygotehost.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An app's {@code tls:}: its port speaks HTTPS with this certificate and key, checked when the
 * config loaded (both readable, the key the certificate's).
 *
 * @param cert        PEM: the server's certificate, then its intermediates; absolute, normalized
 * @param key         PEM: its private key, unencrypted PKCS#8; absolute, normalized
 * @param fingerprint SHA-256 of both files' bytes as they were read: new files on disk make a new
 *                    fingerprint at the next reload, so a new generation
 */
public record TlsConfig(Path cert, Path key, String fingerprint) {

    public TlsConfig {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}
