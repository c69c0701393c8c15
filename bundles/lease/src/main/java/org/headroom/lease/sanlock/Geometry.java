package org.headroom.lease.sanlock;

/**
 * The sector size and alignment of a lockspace or resource area (sanlock's ALIGN and SECTOR
 * flags), which fix how many hosts it can serve. Only sanlock's five pairs exist. Always give one
 * when writing: with none, sanlock picks 512-byte sectors and an 8 MiB alignment for a file.
 */
public record Geometry(int sectorSize, int alignmentMiB) {
    /** 512-byte sectors, 1 MiB areas: 2000 hosts (VDSM on 512-byte storage). */
    public static final Geometry SECTOR_512_ALIGN_1M = new Geometry(512, 1);
    /** 4 KiB sectors, 1 MiB areas: 250 hosts. */
    public static final Geometry SECTOR_4K_ALIGN_1M = new Geometry(4096, 1);
    /** 4 KiB sectors, 2 MiB areas: 500 hosts. */
    public static final Geometry SECTOR_4K_ALIGN_2M = new Geometry(4096, 2);
    /** 4 KiB sectors, 4 MiB areas: 1000 hosts. */
    public static final Geometry SECTOR_4K_ALIGN_4M = new Geometry(4096, 4);
    /** 4 KiB sectors, 8 MiB areas: 2000 hosts. */
    public static final Geometry SECTOR_4K_ALIGN_8M = new Geometry(4096, 8);

    public Geometry {
        boolean allowed = sectorSize == 512 ? alignmentMiB == 1
                : sectorSize == 4096 && (alignmentMiB == 1 || alignmentMiB == 2 || alignmentMiB == 4 || alignmentMiB == 8);
        if (!allowed) {
            throw new IllegalArgumentException("sanlock has no area of " + sectorSize + "-byte sectors aligned to "
                    + alignmentMiB + " MiB: 512 bytes with 1 MiB, or 4096 bytes with 1, 2, 4 or 8 MiB");
        }
    }

    /** The size of one lease area, and the alignment of its offset. */
    public long alignmentBytes() {
        return alignmentMiB * 1024L * 1024L;
    }

    /** The host ids an area of this geometry has room for. */
    public int maxHosts() {
        return sectorSize == 512 ? 2000 : 250 * alignmentMiB;
    }

    @Override
    public String toString() {
        return sectorSize + "B/" + alignmentMiB + "M";
    }
}
