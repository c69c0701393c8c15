package org.headroom.lease.sanlock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.headroom.testing.Lab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The struct layouts of {@link Structs} against the installed sanlock headers, as the C compiler lays them out. */
class StructLayoutIT {
    @Test
    void theLayoutsAreTheCompilersOnThisMachine(@TempDir Path tmp) throws Exception {
        Lab.require("/usr/bin/cc", "/usr/include/sanlock.h", "/usr/include/sanlock_admin.h");
        Map<String, Integer> ours = new LinkedHashMap<>();
        ours.put("sizeof(struct sanlk_disk)", Structs.DISK_SIZE);
        ours.put("offsetof(struct sanlk_disk, path)", Structs.DISK_PATH);
        ours.put("offsetof(struct sanlk_disk, offset)", Structs.DISK_OFFSET);
        ours.put("offsetof(struct sanlk_disk, pad1)", Structs.DISK_PAD1);
        ours.put("offsetof(struct sanlk_disk, pad2)", Structs.DISK_PAD2);
        ours.put("sizeof(struct sanlk_resource)", Structs.RESOURCE_SIZE);
        ours.put("offsetof(struct sanlk_resource, lockspace_name)", Structs.RES_LOCKSPACE_NAME);
        ours.put("offsetof(struct sanlk_resource, name)", Structs.RES_NAME);
        ours.put("offsetof(struct sanlk_resource, lver)", Structs.RES_LVER);
        ours.put("offsetof(struct sanlk_resource, data64)", Structs.RES_DATA64);
        ours.put("offsetof(struct sanlk_resource, data32)", Structs.RES_DATA32);
        ours.put("offsetof(struct sanlk_resource, unused)", Structs.RES_UNUSED);
        ours.put("offsetof(struct sanlk_resource, flags)", Structs.RES_FLAGS);
        ours.put("offsetof(struct sanlk_resource, num_disks)", Structs.RES_NUM_DISKS);
        ours.put("offsetof(struct sanlk_resource, disks)", Structs.RES_DISKS);
        ours.put("sizeof(struct sanlk_lockspace)", Structs.LOCKSPACE_SIZE);
        ours.put("offsetof(struct sanlk_lockspace, name)", Structs.LS_NAME);
        ours.put("offsetof(struct sanlk_lockspace, host_id)", Structs.LS_HOST_ID);
        ours.put("offsetof(struct sanlk_lockspace, flags)", Structs.LS_FLAGS);
        ours.put("offsetof(struct sanlk_lockspace, host_id_disk)", Structs.LS_HOST_ID_DISK);
        ours.put("sizeof(struct sanlk_options)", Structs.OPTIONS_SIZE);
        ours.put("offsetof(struct sanlk_options, owner_name)", Structs.OPT_OWNER_NAME);
        ours.put("offsetof(struct sanlk_options, flags)", Structs.OPT_FLAGS);
        ours.put("offsetof(struct sanlk_options, len)", Structs.OPT_LEN);
        ours.put("sizeof(struct sanlk_host)", Structs.HOST_SIZE);
        ours.put("offsetof(struct sanlk_host, host_id)", Structs.HOST_ID);
        ours.put("offsetof(struct sanlk_host, generation)", Structs.HOST_GENERATION);
        ours.put("offsetof(struct sanlk_host, timestamp)", Structs.HOST_TIMESTAMP);
        ours.put("offsetof(struct sanlk_host, io_timeout)", Structs.HOST_IO_TIMEOUT);
        ours.put("offsetof(struct sanlk_host, flags)", Structs.HOST_FLAGS);
        ours.put("SANLK_NAME_LEN", Fields.NAME_LEN);
        ours.put("SANLK_PATH_LEN", Fields.PATH_LEN);
        ours.put("SANLK_HELPER_PATH_LEN", Fields.HELPER_LEN);
        ours.put("SANLK_RES_LVER", Structs.RES_LVER_SET);
        ours.put("SANLK_RES_SHARED", Structs.RES_SHARED);
        ours.put("SANLK_RES_PERSISTENT", Structs.RES_PERSISTENT);
        ours.put("SANLK_RES_ALIGN1M", Structs.ALIGN_1M);
        ours.put("SANLK_RES_ALIGN2M", Structs.ALIGN_2M);
        ours.put("SANLK_RES_ALIGN4M", Structs.ALIGN_4M);
        ours.put("SANLK_RES_ALIGN8M", Structs.ALIGN_8M);
        ours.put("SANLK_RES_SECTOR512", Structs.SECTOR_512);
        ours.put("SANLK_RES_SECTOR4K", Structs.SECTOR_4K);
        ours.put("SANLK_LSF_ADD", Structs.LSF_ADD);
        ours.put("SANLK_LSF_REM", Structs.LSF_REM);

        StringBuilder c = new StringBuilder("#include <stddef.h>\n#include <stdint.h>\n#include <stdio.h>\n"
                + "#include <sanlock.h>\n#include <sanlock_resource.h>\n#include <sanlock_admin.h>\nint main(void) {\n");
        for (String expr : ours.keySet()) {
            c.append("  printf(\"%s=%ld\\n\", \"").append(expr).append("\", (long) (").append(expr).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Files.writeString(tmp.resolve("layout.c"), c);
        Lab.run("/usr/bin/cc", "-o", tmp.resolve("layout").toString(), tmp.resolve("layout.c").toString());
        Map<String, Integer> theirs = new LinkedHashMap<>();
        for (String line : Lab.run(tmp.resolve("layout").toString()).strip().split("\n")) {
            int eq = line.lastIndexOf('=');
            theirs.put(line.substring(0, eq), Integer.parseInt(line.substring(eq + 1)));
        }
        assertThat(theirs).containsExactlyEntriesOf(ours);
    }
}
