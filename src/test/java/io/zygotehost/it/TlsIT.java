package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.tls.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code tls: { cert, key }}: the app's port speaks HTTPS, tells plain HTTP to use https, and takes new files on reload. */
class TlsIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void anHttpsPortServesItsCertificateRefusesPlainHttpAndTakesNewFilesOnAReload() throws Exception {
        TestCertificates.Pair first = TestCertificates.selfSigned(dir.resolve("tls"), "site", "first.test");
        int port = RunningHost.freePort();
        // One worker and a spare (its second warm-up goes over loopback, so over TLS), a warm-up, and the AOT
        // training, which serves itself over TLS too: every path of a worker's start with TLS on.
        String apps = RunningHost.hello(RunningHost.HELLO_V1, port, """
                workers: 1
                spares: 1
                warmup: { path: /, requests: 20 }
                timeout: 120s
                tls: { cert: tls/site.crt, key: tls/site.key }
                """);
        try (RunningHost host = RunningHost.start(dir, apps)) {
            RunningHost.await("a worker ready and a spare built", Duration.ofSeconds(180),
                    () -> host.log().contains("spare hello@v1 #2") && host.log().contains("worker hello@v1 #1 (pid ")
                            && host.log().contains(") ready in "));

            HttpResponse<String> answer = https(first.cert(), port);
            assertEquals(200, answer.statusCode());
            assertTrue(answer.body().startsWith("hello from v1"), answer.body());
            assertEquals("CN=first.test", servedCertificate(answer).getSubjectX500Principal().getName());

            // Plain HTTP to the TLS port: a 400 that says why, the connection closed, the worker unharmed.
            Set<Integer> workers = Set.copyOf(ServingIT.pids(host.workers("hello")));
            String plain = plainHttp(port);
            assertTrue(plain.startsWith("HTTP/1.1 400 Bad Request\r\n"), plain);
            assertTrue(plain.endsWith("This port speaks HTTPS: the request was sent in plain HTTP. Use https://.\n"), plain);
            assertEquals(200, https(first.cert(), port).statusCode());
            assertEquals(workers, Set.copyOf(ServingIT.pids(host.workers("hello"))));

            // Each warm-up path got its 200s through the TLS pipeline: in memory, over loopback (the spare), the training.
            RunningHost.await("the AOT training served itself", Duration.ofSeconds(180),
                    () -> appLog(host).contains("hello@v1 AOT training: 20 warm-up requests to / in "));
            String log = appLog(host);
            assertTrue(log.contains("hello@v1 #1 warmed up: 20 requests to /"), log);
            assertTrue(log.contains("hello@v1 #2: 20 warm-up requests over loopback, answered {200=20}"), log);
            assertTrue(log.lines().anyMatch(l -> l.contains("hello@v1 AOT training: 20 warm-up requests to / in ")
                    && l.contains("answered {200=20}")), log);

            // New files on disk, then a reload: a new generation serves the new certificate; the old copy is gone.
            TestCertificates.Pair second = TestCertificates.selfSigned(dir.resolve("tls"), "site", "second.test");
            RunningHost.Result reload = host.command("reload");
            assertEquals(0, reload.exit(), reload.output());
            assertTrue(reload.output().startsWith("hello: v1 -> v1 in "), reload.output());
            assertEquals("CN=second.test", servedCertificate(https(second.cert(), port)).getSubjectX500Principal().getName());
            try (Stream<Path> copies = Files.list(dir.resolve("run/tls"))) {
                List<String> names = copies.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(2, names.size(), names.toString());
                assertTrue(names.getFirst().endsWith(".crt") && names.getLast().endsWith(".key"), names.toString());
            }

            // A key that is not the certificate's: the reload is refused, and the second certificate serves on.
            TestCertificates.Pair other = TestCertificates.selfSigned(dir.resolve("other"), "other", "other.test");
            Files.copy(other.key(), second.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            RunningHost.Result refused = host.command("reload");
            assertEquals(1, refused.exit(), refused.output());
            assertTrue(refused.output().contains("apps.hello.tls.key: " + second.key() + " is not the key of the certificate"),
                    refused.output());
            assertEquals("CN=second.test", servedCertificate(https(second.cert(), port)).getSubjectX500Principal().getName());
            assertEquals(0, host.stop());
        }
    }

    private static String appLog(RunningHost host) {
        return RunningHost.read(host.dir.resolve("logs/hello.log"));
    }

    /** A GET over HTTPS by a new client (no connection kept from before) trusting only this certificate. */
    private static HttpResponse<String> https(Path cert, int port) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trusted.setCertificateEntry("site", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static X509Certificate servedCertificate(HttpResponse<?> answer) throws Exception {
        return (X509Certificate) answer.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    /** A plain GET on a raw socket; everything that comes back until the server closes. */
    private static String plainHttp(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(received); // to the end: the server closes
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
