package org.headroom.migrate.management;

/** Live migration's figures over JMX, as headroom:migrations shows them. */
public interface MigrationsMBean {
    String getHost();

    String getEndpointState();

    long getCallsServed();

    long getRefusedWithoutCertificate();

    long getRefusedUntrusted();

    long getMalformedCalls();

    int getUnderWay();

    long getCompleted();

    long getFailed();

    double getLastDowntimeMillis();

    double getLastStorageWorkInDowntimeMillis();
}
