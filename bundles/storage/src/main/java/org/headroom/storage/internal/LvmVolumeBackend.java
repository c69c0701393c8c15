package org.headroom.storage.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeBackend;
import org.headroom.api.storage.VolumeRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes as LVM logical volumes on shared block storage, as on a SAN: the volume group is named by
 * the domain's UUID, an LV by its volume's UUID and tagged {@code IU_<image>} as VDSM tags them.
 * The SPM changes LVM metadata (lvcreate, lvextend); other hosts only reload their view of it
 * ({@code lvchange --refresh}).
 *
 * <p><b>Untested against real LVM here</b>: this machine's kernel has no device-mapper. The command
 * lines and the parsing of their output are unit-tested with a recording runner, and the messages
 * matched ("Failed to find logical volume") are LVM2's as documented, not observed. A production
 * host also needs VDSM's care with LVM: a device filter, no lvmetad and no metadata caching across
 * hosts; none of that is here.
 */
public final class LvmVolumeBackend implements VolumeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(LvmVolumeBackend.class);
    private static final String NO_SUCH_LV = "Failed to find logical volume";
    private static final String IMAGE_TAG = "IU_";

    private final UUID domain;
    private final String vg;
    private final CommandRunner commands;

    public LvmVolumeBackend(UUID domain, CommandRunner commands) {
        this.domain = domain;
        this.vg = domain.toString();
        this.commands = commands;
    }

    @Override
    public String type() {
        return "lvm";
    }

    @Override
    public void create(VolumeRef volume, long size) {
        long mib = Sizes.mib(volume, size);
        lv(volume); // refuses a volume of another domain before running anything
        commands.run(List.of("lvcreate", "-n", volume.volume().toString(), "-L", mib + "m",
                "--addtag", IMAGE_TAG + volume.image(), vg));
        LOG.info("created lvm volume {} of {} MiB", volume, mib);
    }

    @Override
    public boolean exists(VolumeRef volume) {
        return volume.domain().equals(domain) && lvSize(volume).isPresent();
    }

    @Override
    public long size(VolumeRef volume) {
        return lvSize(volume).orElseThrow(() -> new UnknownVolumeException(volume));
    }

    /** Extends only a smaller LV (lvextend fails on a size it already has); returns what LVM made of it. */
    @Override
    public long extend(VolumeRef volume, long size) {
        long mib = Sizes.mib(volume, size);
        long before = size(volume);
        if (before >= mib * Sizes.MIB) {
            return before;
        }
        run(volume, "lvextend", "-L", mib + "m", lv(volume));
        long after = size(volume); // LVM rounds up to whole extents: the size asked is not the size made
        LOG.info("extended volume {} from {} to {} MiB", volume, before / Sizes.MIB, after / Sizes.MIB);
        return after;
    }

    /** Reloads this host's device-mapper table from the LVM metadata the SPM wrote, then reads that size. */
    @Override
    public long refresh(VolumeRef volume) {
        run(volume, "lvchange", "--refresh", lv(volume));
        return size(volume);
    }

    @Override
    public Path activate(VolumeRef volume) {
        run(volume, "lvchange", "-ay", lv(volume));
        return Path.of("/dev", vg, volume.volume().toString());
    }

    @Override
    public void deactivate(VolumeRef volume) {
        run(volume, "lvchange", "-an", lv(volume));
    }

    /** LVs tagged with an image: the domain's own LVs (ids, leases, inbox, ...) carry none. */
    @Override
    public List<VolumeRef> list() {
        String out = commands.run(List.of("lvs", "--noheadings", "--separator", "|", "-o", "lv_name,lv_tags", vg));
        List<VolumeRef> volumes = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] columns = line.strip().split("\\|", -1);
            if (columns.length != 2) {
                continue;
            }
            Optional<UUID> volume = UuidNames.uuid(columns[0]);
            for (String tag : columns[1].split(",")) {
                Optional<UUID> image = tag.startsWith(IMAGE_TAG) ? UuidNames.uuid(tag.substring(IMAGE_TAG.length())) : Optional.empty();
                if (volume.isPresent() && image.isPresent()) {
                    volumes.add(new VolumeRef(domain, image.get(), volume.get()));
                }
            }
        }
        volumes.sort(Comparator.comparing((VolumeRef v) -> v.image().toString()).thenComparing(v -> v.volume().toString()));
        return volumes;
    }

    /** {@code <vg>/<lv>}, for a volume of this domain only. */
    private String lv(VolumeRef volume) {
        if (!volume.domain().equals(domain)) {
            throw new UnknownVolumeException(volume);
        }
        return vg + "/" + volume.volume();
    }

    private OptionalLong lvSize(VolumeRef volume) {
        String out;
        try {
            out = commands.run(List.of("lvs", "--noheadings", "--units", "b", "--nosuffix", "-o", "lv_size", lv(volume)));
        } catch (CommandFailedException e) {
            if (e.stderr().contains(NO_SUCH_LV)) {
                return OptionalLong.empty();
            }
            throw e;
        }
        try {
            return OptionalLong.of(Long.parseLong(out.strip()));
        } catch (NumberFormatException e) {
            throw new StorageException("reading the size of volume " + volume + ": lvs printed '" + out.strip()
                    + "', not a number of bytes");
        }
    }

    /** Runs an LVM command on one volume; LVM's "no such LV" becomes the contract's unknown volume. */
    private String run(VolumeRef volume, String... command) {
        try {
            return commands.run(List.of(command));
        } catch (CommandFailedException e) {
            if (e.stderr().contains(NO_SUCH_LV)) {
                throw new UnknownVolumeException(volume);
            }
            throw e;
        }
    }
}
