package org.headroom.lease.sanlock;

/** The daemon's version and the version of its socket protocol (sanlock_version). */
public record SanlockVersion(int major, int minor, int patch, int protocolMajor, int protocolMinor) {
    /** Decodes sanlock's words: {@code major<<24 | minor<<16 | patch<<8} and {@code major<<16 | minor}. */
    public static SanlockVersion of(int version, int protocol) {
        return new SanlockVersion(version >>> 24, (version >>> 16) & 0xFF, (version >>> 8) & 0xFF,
                protocol >>> 16, protocol & 0xFFFF);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + " (protocol " + protocolMajor + "." + protocolMinor + ")";
    }
}
