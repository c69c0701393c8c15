package org.headroom.migrate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.headroom.api.storage.VolumeRef;

/**
 * The agents' calls, version 1: JSON bodies over HTTPS POST, one path per call. What a peer sends
 * is checked field by field on the way in; anything else is a {@link MalformedRequestException}
 * saying what is wrong, answered 400 and counted.
 *
 * <ul>
 *   <li>{@code /v1/incoming}: a migration is coming; attach its volumes (unless legacy) and start
 *       the destination's QEMU listening. Answer: the URI to migrate to.</li>
 *   <li>{@code /v1/incoming/ready}: RAM is being copied; confirm activate will find every volume
 *       attached (with early attach), before the guest is paused.</li>
 *   <li>{@code /v1/incoming/activate}: the source is at pre-switchover, inside the downtime;
 *       activate the attached volumes (attach first, with legacy attach).</li>
 *   <li>{@code /v1/incoming/land}: the source completed; resume the VM here. Answer: the RESUME
 *       event's timestamp.</li>
 *   <li>{@code /v1/incoming/abort}: the migration failed or (with {@code cancelled}) was cancelled;
 *       detach its volumes.</li>
 *   <li>{@code /v1/volumes/refresh}: a volume of a migrating VM was extended; refresh it here
 *       and tell its size.</li>
 * </ul>
 *
 * <p>Migrations libvirt runs, told by the hooks ({@code HookedMigrations}):
 * <ul>
 *   <li>{@code /v1/departures}: the caller's hook attached these volumes for a VM libvirt migrates
 *       to it; answer whether this host has them in use (it is the source, and refreshes them on
 *       the caller first from now on).</li>
 *   <li>{@code /v1/departures/ended}: the destination released the volumes before the VM landed:
 *       the migration failed; the source's VM runs on.</li>
 *   <li>{@code /v1/arrivals/ended}: the source released the volumes: the VM left it, and runs on
 *       the destination.</li>
 * </ul>
 */
final class AgentProtocol {
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_VOLUMES = 256;
    static final long MAX_SIZE = 1L << 50;

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern VM = Pattern.compile("[^\\x00-\\x1f/]{1,255}");

    private AgentProtocol() {
    }

    record Prepare(String migration, String vm, List<VolumeRef> volumes, boolean legacy) {
    }

    record PrepareReply(String uri, double attachMillis) {
    }

    record MigrationRef(String migration) {
    }

    record Abort(String migration, String reason, boolean cancelled) {
    }

    record Ack(boolean ok) {
    }

    record ActivateReply(double attachMillis, double activateMillis) {
    }

    record LandReply(long resumeMicros) {
    }

    record Refresh(VolumeRef volume, long size) {
    }

    record RefreshReply(long size) {
    }

    record ErrorReply(String error) {
    }

    record Departure(String migration, String vm, List<VolumeRef> volumes) {
    }

    record DepartureReply(boolean source) {
    }

    record Ended(String migration, String reason) {
    }

    static Prepare prepare(byte[] body) {
        JsonNode n = object(body);
        String migration = id(n);
        String vm = vm(n);
        List<VolumeRef> volumes = volumes(n);
        JsonNode legacy = n.get("legacy");
        if (legacy != null && !legacy.isBoolean()) {
            throw new MalformedRequestException("legacy: not true or false");
        }
        return new Prepare(migration, vm, volumes, legacy != null && legacy.booleanValue());
    }

    static Departure departure(byte[] body) {
        JsonNode n = object(body);
        String migration = id(n);
        return new Departure(migration, vm(n), volumes(n));
    }

    static Ended ended(byte[] body) {
        JsonNode n = object(body);
        return new Ended(id(n), reason(n));
    }

    static MigrationRef migration(byte[] body) {
        return new MigrationRef(id(object(body)));
    }

    static Abort abort(byte[] body) {
        JsonNode n = object(body);
        JsonNode cancelled = n.get("cancelled");
        if (cancelled != null && !cancelled.isBoolean()) {
            throw new MalformedRequestException("cancelled: not true or false");
        }
        return new Abort(id(n), reason(n), cancelled != null && cancelled.booleanValue());
    }

    static Refresh refresh(byte[] body) {
        JsonNode n = object(body);
        VolumeRef volume = volume(n.get("volume"), "volume");
        JsonNode size = n.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber()) {
            throw new MalformedRequestException("size: missing or not a whole number");
        }
        long bytes = size.longValue();
        if (bytes <= 0 || bytes > MAX_SIZE) {
            throw new MalformedRequestException("size: " + bytes + " out of range 1.." + MAX_SIZE);
        }
        return new Refresh(volume, bytes);
    }

    /** The JSON of a call or a reply. */
    static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + ": " + e.getMessage(), e);
        }
    }

    /** A reply of a peer, read as {@code type}; a reply that is not one is a {@link MalformedRequestException}. */
    static <T> T reply(byte[] body, Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (java.io.IOException | RuntimeException e) {
            throw new MalformedRequestException("unreadable " + type.getSimpleName() + ": " + e.getMessage());
        }
    }

    private static JsonNode object(byte[] body) {
        if (body.length > MAX_BODY_BYTES) {
            throw new MalformedRequestException("body of " + body.length + " bytes, at most " + MAX_BODY_BYTES);
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (java.io.IOException | RuntimeException e) {
            throw new MalformedRequestException("not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new MalformedRequestException("not a JSON object");
        }
        return n;
    }

    /** An optional reason, cut to 1000 characters. */
    private static String reason(JsonNode n) {
        String reason = n.path("reason").isTextual() ? n.get("reason").textValue() : "";
        return reason.length() > 1000 ? reason.substring(0, 1000) : reason;
    }

    private static String vm(JsonNode n) {
        String vm = text(n, "vm");
        if (!VM.matcher(vm).matches()) {
            throw new MalformedRequestException("vm: not a VM name: " + quote(vm));
        }
        return vm;
    }

    private static List<VolumeRef> volumes(JsonNode n) {
        JsonNode list = n.get("volumes");
        if (list == null || !list.isArray()) {
            throw new MalformedRequestException("volumes: missing or not a list");
        }
        if (list.size() > MAX_VOLUMES) {
            throw new MalformedRequestException("volumes: " + list.size() + " volumes, at most " + MAX_VOLUMES);
        }
        List<VolumeRef> volumes = new ArrayList<>();
        for (JsonNode v : list) {
            volumes.add(volume(v, "volumes[" + volumes.size() + "]"));
        }
        return volumes;
    }

    private static String id(JsonNode n) {
        String id = text(n, "migration");
        if (!ID.matcher(id).matches()) {
            throw new MalformedRequestException("migration: not a migration id: " + quote(id));
        }
        return id;
    }

    private static VolumeRef volume(JsonNode v, String where) {
        if (v == null || !v.isObject()) {
            throw new MalformedRequestException(where + ": missing or not an object");
        }
        return new VolumeRef(uuid(v, "domain", where), uuid(v, "image", where), uuid(v, "volume", where));
    }

    private static UUID uuid(JsonNode n, String field, String where) {
        String s = text(n, field, where + ".");
        try {
            UUID u = UUID.fromString(s);
            if (!u.toString().equals(s.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("not canonical");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new MalformedRequestException(where + "." + field + ": not a UUID: " + quote(s));
        }
    }

    private static String text(JsonNode n, String field) {
        return text(n, field, "");
    }

    private static String text(JsonNode n, String field, String prefix) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new MalformedRequestException(prefix + field + ": missing or not a string");
        }
        return v.textValue();
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
    }
}
