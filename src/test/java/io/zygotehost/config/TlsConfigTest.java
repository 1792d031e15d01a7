package io.zygotehost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app's tls: and user:/group: keys, read against real files and this machine's accounts. */
class TlsConfigTest {

    @TempDir
    Path dir;

    /** Lines 1-6: one valid app, whose block a scenario extends from line 7. */
    private static final String HELLO = """
            apps:
              hello:
                path: app
                class: example.App
                listen: 8443
                workers: 1
            """;

    private HostConfig load(String yaml) throws Exception {
        Path file = dir.resolve("conf/apps.yml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return ConfigLoader.load(file);
    }

    private List<ConfigProblem> problems(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).problems();
    }

    @Test
    void tlsFilesAreRelativeToTheConfigFileAndFingerprinted() throws Exception {
        // A valid pair in conf/tls/: the paths resolve against conf/, and the fingerprint covers both files' bytes.
        TestCertificates.Pair pair = TestCertificates.selfSigned(dir.resolve("conf/tls"), "site", "localhost");
        TlsConfig tls = load(HELLO + "    tls: { cert: tls/site.crt, key: tls/site.key }\n").apps().get("hello").tls().orElseThrow();
        assertEquals(pair.cert(), tls.cert());
        assertEquals(pair.key(), tls.key());
        assertTrue(tls.fingerprint().matches("[0-9a-f]{64}"), tls.fingerprint());

        // New files (a renewed certificate) are another fingerprint: the reload that reads them makes a new generation.
        TestCertificates.selfSigned(dir.resolve("conf/tls"), "site", "localhost");
        TlsConfig renewed = load(HELLO + "    tls: { cert: tls/site.crt, key: tls/site.key }\n").apps().get("hello").tls().orElseThrow();
        assertNotEquals(tls.fingerprint(), renewed.fingerprint());
        assertTrue(load(HELLO).apps().get("hello").tls().isEmpty(), "no tls: plain HTTP");
    }

    @Test
    void anEcKeyServesToo() throws Exception {
        TestCertificates.selfSignedEc(dir, "ec", "localhost");
        assertTrue(load(HELLO + "    tls: { cert: ../ec.crt, key: ../ec.key }\n").apps().get("hello").tls().isPresent());
    }

    @Test
    void aMissingFileIsNamedAtItsKey() throws Exception {
        // Proves the problem points at the value of cert: (line 7, column 18) and names the resolved file.
        TestCertificates.selfSigned(dir.resolve("conf"), "site", "localhost");
        ConfigProblem p = only(HELLO + "    tls: { cert: nope.crt, key: site.key }\n");
        assertEquals(List.of(7, 18, "apps.hello.tls.cert"), List.of(p.line(), p.column(), p.key()));
        assertEquals(dir.resolve("conf/nope.crt") + " does not exist", p.message());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtTheKey() throws Exception {
        TestCertificates.selfSigned(dir.resolve("conf"), "site", "localhost");
        TestCertificates.selfSigned(dir.resolve("conf"), "other", "localhost");
        ConfigProblem p = only(HELLO + "    tls:\n      cert: site.crt\n      key: other.key\n");
        assertEquals(List.of(9, 12, "apps.hello.tls.key"), List.of(p.line(), p.column(), p.key()));
        assertTrue(p.message().endsWith("other.key is not the key of the certificate"), p.message());
        assertTrue(p.fix().contains("openssl pkey -pubout"), p.fix());
    }

    @Test
    void keysTheJdkCannotReadGetTheCommandThatConvertsThem() throws Exception {
        TestCertificates.Pair pair = TestCertificates.selfSigned(dir.resolve("conf"), "site", "localhost");
        TestCertificates.pkcs1(pair, dir.resolve("conf/pkcs1.key"));
        TestCertificates.encrypted(pair, dir.resolve("conf/encrypted.key"));
        ConfigProblem old = only(HELLO + "    tls: { cert: site.crt, key: pkcs1.key }\n");
        assertTrue(old.message().contains("older PKCS#1 form (BEGIN RSA PRIVATE KEY)"), old.message());
        assertEquals("convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + dir.resolve("conf/pkcs1.key")
                + " -out KEY.pem", old.fix());
        ConfigProblem encrypted = only(HELLO + "    tls: { cert: site.crt, key: encrypted.key }\n");
        assertTrue(encrypted.message().endsWith("encrypted.key is encrypted, and the host has no passphrase to give"));
        assertTrue(encrypted.fix().contains("openssl pkey -in"), encrypted.fix());
    }

    @Test
    void theFilesSwappedAreCaughtAtTheCertificate() throws Exception {
        TestCertificates.selfSigned(dir.resolve("conf"), "site", "localhost");
        ConfigProblem p = only(HELLO + "    tls: { cert: site.key, key: site.crt }\n");
        assertEquals("apps.hello.tls.cert", p.key());
        assertTrue(p.message().contains("holds no PEM certificate"), p.message());
    }

    @Test
    void tlsNeedsBothFilesAndNothingElse() throws Exception {
        List<ConfigProblem> ps = problems(HELLO + "    tls: { cert: site.crt, keys: site.key }\n");
        assertEquals(2, ps.size(), ps.toString());
        assertEquals(List.of("apps.hello.tls.key", "missing required key 'key'"), List.of(ps.get(0).key(), ps.get(0).message()));
        assertEquals(List.of("apps.hello.tls.keys", "did you mean 'key'?"), List.of(ps.get(1).key(), ps.get(1).fix()));
        assertEquals("expected a mapping, got \"on\"", only(HELLO + "    tls: on\n").message());
    }

    @Test
    void usersAndGroupsAreThisMachinesAndAnUnknownOneIsRefusedWhereItIsWritten() throws Exception {
        AppConfig app = load(HELLO + "    user: nobody\n    group: nogroup\n").apps().get("hello");
        assertEquals(List.of("nobody", "nogroup"), List.of(app.user().orElseThrow(), app.group().orElseThrow()));
        assertEquals("65534", load(HELLO + "    user: 65534\n").apps().get("hello").user().orElseThrow(), "a number is fine too");

        List<ConfigProblem> ps = problems(HELLO + "    user: www-dta\n    group: wheell\n");
        assertEquals(2, ps.size(), ps.toString());
        assertEquals(List.of(7, 11, "apps.hello.user", "there is no user 'www-dta' on this machine"),
                List.of(ps.get(0).line(), ps.get(0).column(), ps.get(0).key(), ps.get(0).message()));
        assertEquals("create it (useradd --system www-dta), or name an existing user", ps.get(0).fix());
        assertEquals(List.of(8, 12, "apps.hello.group", "there is no group 'wheell' on this machine"),
                List.of(ps.get(1).line(), ps.get(1).column(), ps.get(1).key(), ps.get(1).message()));
    }

    private ConfigProblem only(String yaml) {
        List<ConfigProblem> ps = problems(yaml);
        assertEquals(1, ps.size(), ps.toString());
        return ps.getFirst();
    }
}
