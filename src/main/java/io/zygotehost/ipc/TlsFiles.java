package io.zygotehost.ipc;

import java.nio.file.Path;

/**
 * The certificate and key a generation's workers serve HTTPS with: the master's copy of the app's
 * {@code tls:} files, taken when the generation was made (so every worker of it, spawned now or in
 * an hour, serves the same pair) and readable by the user the workers run as.
 *
 * @param fingerprint SHA-256 of the original files' bytes (see {@code TlsConfig})
 */
public record TlsFiles(Path cert, Path key, String fingerprint) {}
