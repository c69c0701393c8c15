package org.headroom.migrate.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The pool's TLS identity of this agent: its key and certificate, and the pool's CA as the only
 * trust anchor, so that a peer is an agent of the pool exactly when the pool's CA issued its
 * certificate. Certificates a peer shows that the CA did not issue are refused in the handshake
 * and counted.
 */
final class PoolTls {
    private final SSLContext context;
    private final String commonName;
    private final AtomicLong refusedUntrusted = new AtomicLong();

    private PoolTls(SSLContext context, String commonName) {
        this.context = context;
        this.commonName = commonName;
    }

    /**
     * Loads the stores; fails with a message naming the file when one is missing or unreadable, or
     * when the key store holds no key whose certificate the pool's CA issued.
     */
    static PoolTls load(Path keystore, Path truststore, char[] password) {
        try {
            KeyStore keys = read(keystore, password);
            KeyStore trust = read(truststore, password);
            String alias = null;
            for (String a : java.util.Collections.list(keys.aliases())) {
                if (keys.isKeyEntry(a)) {
                    alias = a;
                    break;
                }
            }
            if (alias == null) {
                throw new IllegalStateException(keystore + " holds no private key");
            }
            X509Certificate own = (X509Certificate) keys.getCertificate(alias);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            X509ExtendedTrustManager pool = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    pool = x;
                }
            }
            if (pool == null) {
                throw new IllegalStateException("no X.509 trust manager for " + truststore);
            }
            X509Certificate[] chain = java.util.Arrays.stream(keys.getCertificateChain(alias))
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            try {
                pool.checkClientTrusted(chain, own.getPublicKey().getAlgorithm());
            } catch (CertificateException e) {
                throw new IllegalStateException("the certificate in " + keystore + " (" + own.getSubjectX500Principal()
                        + ") is not issued by the pool's CA in " + truststore + ": " + e.getMessage(), e);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            PoolTls[] self = new PoolTls[1];
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {new Counting(pool, () -> self[0].refusedUntrusted.incrementAndGet())},
                    null);
            self[0] = new PoolTls(ctx, commonName(own.getSubjectX500Principal()));
            return self[0];
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the pool's TLS identity (" + keystore + ", " + truststore + "): "
                    + e.getMessage(), e);
        }
    }

    SSLContext context() {
        return context;
    }

    /** This agent's name as its certificate says. */
    String commonName() {
        return commonName;
    }

    long refusedUntrusted() {
        return refusedUntrusted.get();
    }

    /** The CN of a certificate's subject, or the whole name when it has none. */
    static String commonName(Principal subject) {
        try {
            for (Rdn rdn : new LdapName(subject.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // Fall through: the whole name says who it is.
        }
        return subject.getName();
    }

    private static KeyStore read(Path file, char[] password) throws GeneralSecurityException, IOException {
        if (!Files.isReadable(file)) {
            throw new IOException(file + " does not exist or is not readable (lab/pool-pki.sh makes a pool's)");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    /** The pool's trust manager, counting every certificate it refuses. */
    private static final class Counting extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pool;
        private final Runnable refused;

        Counting(X509ExtendedTrustManager pool, Runnable refused) {
            this.pool = pool;
            this.refused = refused;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(() -> pool.checkClientTrusted(chain, authType, socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(() -> pool.checkClientTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(() -> pool.checkClientTrusted(chain, authType));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(() -> pool.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(() -> pool.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(() -> pool.checkServerTrusted(chain, authType));
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pool.getAcceptedIssuers();
        }

        private void check(Check check) throws CertificateException {
            try {
                check.run();
            } catch (CertificateException e) {
                refused.run();
                throw e;
            }
        }

        @FunctionalInterface
        private interface Check {
            void run() throws CertificateException;
        }
    }
}
