package org.headroom.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A pool's PKI for a test, made by {@code lab/pool-pki.sh}: a CA, its trust store, and one key
 * store per agent named. Another call with another directory makes a stranger's: a CA the pool
 * does not trust.
 */
public record PoolPki(Path dir, String password) {

    public static PoolPki create(Path dir, String... hosts) throws IOException, InterruptedException {
        String script = Libvirtd.projectRoot().resolve("lab/pool-pki.sh").toString();
        Lab.run(script, "ca", dir.toString());
        for (String h : hosts) {
            Lab.run(script, "host", dir.toString(), h);
        }
        return new PoolPki(dir, Files.readString(dir.resolve("password")).strip());
    }

    public Path keystore(String host) {
        return dir.resolve(host + ".p12");
    }

    public Path truststore() {
        return dir.resolve("pool-ca.p12");
    }

    public Path passwordFile() {
        return dir.resolve("password");
    }

    /**
     * Makes the unpacked distribution {@code karaf} the pool's agent {@code host}: its endpoint on
     * 127.0.0.1:{@code port} with this PKI's stores, calling {@code peers} (NAME=https://..., comma-separated).
     */
    public void join(Path karaf, String host, int port, String peers) throws IOException {
        Path cfg = karaf.resolve("etc/org.headroom.migrate.cfg");
        KarafHosts.set(cfg, "host", host);
        KarafHosts.set(cfg, "bind_address", "127.0.0.1");
        KarafHosts.set(cfg, "port", Integer.toString(port));
        KarafHosts.set(cfg, "keystore", keystore(host).toString());
        KarafHosts.set(cfg, "truststore", truststore().toString());
        KarafHosts.set(cfg, "password_file", passwordFile().toString());
        KarafHosts.set(cfg, "peers", peers);
    }

    /**
     * A client's TLS: the key and certificate of {@code host} from this PKI (null: no certificate
     * at all), trusting the CA of {@code trusted}, as a stranger who knows the pool's public CA.
     */
    public SSLContext clientContext(String host, PoolPki trusted) throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = null;
        if (host != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore(host))) {
                keys.load(in, password.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password.toCharArray());
        }
        KeyStore ca = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trusted.truststore())) {
            ca.load(in, trusted.password().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ca);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
