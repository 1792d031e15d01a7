package io.zygotehost.config;

import io.zygotehost.tls.PemCredentials;
import io.zygotehost.tls.TlsFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads an app's {@code tls: { cert, key }} and checks the files as the master will read them. */
final class TlsReader {

    private TlsReader() {}

    static Optional<TlsConfig> read(Section app, Path dir) {
        if (!app.has("tls")) {
            return Optional.empty();
        }
        Section tls = app.section("tls");
        Path cert = tls.requirePath("cert", dir, "add cert: with the PEM certificate (and its chain), e.g. cert: tls/fullchain.pem");
        Path key = tls.requirePath("key", dir, "add key: with the PEM private key, e.g. key: tls/privkey.pem");
        tls.reportUnknownKeys();
        if (cert == null || key == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TlsConfig(cert, key, PemCredentials.read(cert, key).fingerprint()));
        } catch (TlsFileException e) {
            tls.problem(e.isKeyFile() ? "key" : "cert", e.getMessage(), e.fix());
            return Optional.empty();
        }
    }
}
