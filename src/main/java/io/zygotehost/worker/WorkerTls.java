package io.zygotehost.worker;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.zygotehost.ipc.TlsFiles;
import io.zygotehost.tls.PemCredentials;
import io.zygotehost.tls.TlsFileException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A worker's TLS: the server side of its port, and a client that trusts exactly the worker's own
 * certificate, for the requests it sends itself over loopback (a spare's warm-up, the AOT
 * training), so that they take the path real requests take, the handshake included.
 *
 * <p>The JDK's provider: netty-tcnative (OpenSSL) would mean one more native library for every
 * worker to load, and the JDK's TLS classes, like the rest, land in the AOT cache.
 */
record WorkerTls(SslContext server, SSLSocketFactory loopbackClient) {

    /** Null for a generation without TLS. */
    static WorkerTls of(TlsFiles files) throws IOException {
        if (files == null) {
            return null;
        }
        try {
            PemCredentials credentials = PemCredentials.read(files.cert(), files.key());
            SslContext server = SslContextBuilder.forServer(credentials.key(), credentials.chain().toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .build();
            return new WorkerTls(server, trusting(credentials.chain().getFirst()));
        } catch (TlsFileException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static SSLSocketFactory trusting(X509Certificate own) throws IOException {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("self", own);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the loopback client's TLS context: " + e.getMessage(), e);
        }
    }
}
