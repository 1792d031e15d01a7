package io.zygotehost.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's certificate chain and private key, read from PEM files and checked to belong
 * together: what {@code tls: { cert, key }} names. The config check, the master (which copies the
 * files for the workers) and each worker (which builds its SslContext from them) all read them here.
 *
 * <p>Certificates are parsed by the JDK's X.509 factory. The key must be PKCS#8
 * ({@code BEGIN PRIVATE KEY}), the one form the JDK reads without BouncyCastle; the older forms get
 * the openssl command that converts them.
 */
public final class PemCredentials {

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final String fingerprint;

    private PemCredentials(List<X509Certificate> chain, PrivateKey key, String fingerprint) {
        this.chain = chain;
        this.key = key;
        this.fingerprint = fingerprint;
    }

    /**
     * @param certFile the server's certificate first, then the intermediates that sign it (a "fullchain")
     * @param keyFile  the private key of the first certificate, unencrypted PKCS#8
     */
    public static PemCredentials read(Path certFile, Path keyFile) throws TlsFileException {
        byte[] certBytes = readFile(certFile, false);
        byte[] keyBytes = readFile(keyFile, true);
        List<X509Certificate> chain = certificates(certFile, certBytes);
        PrivateKey key = privateKey(keyFile, keyBytes, chain.getFirst().getPublicKey().getAlgorithm());
        checkPair(keyFile, key, chain.getFirst().getPublicKey());
        return new PemCredentials(chain, key, fingerprint(certBytes, keyBytes));
    }

    /** The server's own certificate first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    public PrivateKey key() {
        return key;
    }

    /** SHA-256 of both files' bytes, in hex: a changed certificate or key is a new fingerprint. */
    public String fingerprint() {
        return fingerprint;
    }

    /** {@code CN=example.com, valid until 2027-01-01T00:00:00Z}: for logs. */
    public String describe() {
        X509Certificate leaf = chain.getFirst();
        return leaf.getSubjectX500Principal().getName() + ", valid until " + leaf.getNotAfter().toInstant();
    }

    private static byte[] readFile(Path file, boolean isKey) throws TlsFileException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file, isKey, file + " does not exist", null);
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file, isKey, "cannot read " + file + ": permission denied",
                    "check as the user the host runs as (the master reads it, usually root)");
        } catch (IOException e) {
            throw new TlsFileException(file, isKey, "cannot read " + file + ": " + e.getMessage(), null);
        }
    }

    private static List<X509Certificate> certificates(Path file, byte[] bytes) throws TlsFileException {
        if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new TlsFileException(file, false, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    "give the certificate file (with its chain, e.g. fullchain.pem), not the key or a DER file");
        }
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new CertificateException("no certificate in it");
            }
            return chain;
        } catch (CertificateException e) {
            throw new TlsFileException(file, false, "cannot read the certificates of " + file + ": " + e.getMessage(), null);
        }
    }

    private static PrivateKey privateKey(Path file, byte[] bytes, String algorithm) throws TlsFileException {
        Matcher block = PEM_BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
        while (block.find()) {
            String label = block.group(1);
            switch (label) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, block.group(2), algorithm);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new TlsFileException(file, true,
                        file + " is encrypted, and the host has no passphrase to give",
                        "keep it readable by root only and decrypt it: openssl pkey -in " + file + " -out KEY.pem");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new TlsFileException(file, true,
                        file + " holds its key in the older " + (label.startsWith("RSA") ? "PKCS#1" : "SEC1")
                                + " form (BEGIN " + label + "), which the JDK cannot read",
                        "convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out KEY.pem");
                default -> { } // an EC PARAMETERS block before the key, say
            }
        }
        throw new TlsFileException(file, true, file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)",
                "give the key file of the certificate");
    }

    private static PrivateKey pkcs8(Path file, String base64, String algorithm) throws TlsFileException {
        try {
            byte[] der = Base64.getMimeDecoder().decode(base64);
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new TlsFileException(file, true, file + " is not a " + algorithm + " private key as the certificate's"
                    + " is (" + e.getMessage() + ")", "give the key the certificate was issued for");
        }
    }

    /** The key signs, the certificate's public key verifies: they belong together. */
    private static void checkPair(Path keyFile, PrivateKey key, PublicKey certified) throws TlsFileException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw new TlsFileException(keyFile, true, "keys of type " + key.getAlgorithm() + " are not supported",
                    "use an RSA, EC or Ed25519 key");
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another curve or size than the certificate's: it does not match either
        }
        throw new TlsFileException(keyFile, true, keyFile + " is not the key of the certificate",
                "give the key the certificate was issued for (openssl x509 -noout -pubkey -in CERT and"
                        + " openssl pkey -pubout -in KEY print the same when they belong together)");
    }

    private static String fingerprint(byte[] cert, byte[] key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(cert);
            digest.update((byte) 0);
            digest.update(key);
            return HexFormat.of().formatHex(digest.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
