package org.headroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
