package io.zygotehost.tls;

import java.nio.file.Path;

/** A certificate or key file that cannot serve: which one, what is wrong, and what to do. */
public final class TlsFileException extends Exception {

    private final Path file;
    private final boolean keyFile;
    private final String fix;

    TlsFileException(Path file, boolean keyFile, String message, String fix) {
        super(message);
        this.file = file;
        this.keyFile = keyFile;
        this.fix = fix;
    }

    public Path file() {
        return file;
    }

    /** True when the key file is at fault, false for the certificate file. */
    public boolean isKeyFile() {
        return keyFile;
    }

    /** What to do, or null. */
    public String fix() {
        return fix;
    }
}
