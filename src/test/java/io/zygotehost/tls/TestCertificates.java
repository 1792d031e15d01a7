package io.zygotehost.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates and keys made by openssl for tests: self-signed, for 127.0.0.1 and localhost. */
public final class TestCertificates {

    /** A certificate file and its key file. */
    public record Pair(Path cert, Path key) {}

    private TestCertificates() {}

    /** A self-signed RSA certificate for {@code CN=commonName}, with 127.0.0.1 and localhost as names, its key PKCS#8. */
    public static Pair selfSigned(Path dir, String name, String commonName) throws IOException {
        Files.createDirectories(dir);
        Pair pair = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + commonName,
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", pair.key().toString(), "-out", pair.cert().toString());
        return pair;
    }

    /** The same with an EC key on P-256. */
    public static Pair selfSignedEc(Path dir, String name, String commonName) throws IOException {
        Files.createDirectories(dir);
        Pair pair = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=" + commonName, "-keyout", pair.key().toString(), "-out", pair.cert().toString());
        return pair;
    }

    /** The key of {@code pair} in the older PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}). */
    public static Path pkcs1(Pair pair, Path out) throws IOException {
        openssl("pkey", "-in", pair.key().toString(), "-traditional", "-out", out.toString());
        return out;
    }

    /** The key of {@code pair}, encrypted with a passphrase ({@code BEGIN ENCRYPTED PRIVATE KEY}). */
    public static Path encrypted(Pair pair, Path out) throws IOException {
        openssl("pkcs8", "-topk8", "-in", pair.key().toString(), "-passout", "pass:secret", "-out", out.toString());
        return out;
    }

    private static void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (Files.notExists(Path.of(args[args.length - 1]))) {
            throw new IOException(String.join(" ", command) + " wrote nothing");
        }
    }
}
