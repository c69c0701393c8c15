package org.headroom.bench;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of an end-to-end benchmark, from its command line: {@code --quick},
 * {@code --KEY VALUE} or {@code --KEY=VALUE}, or {@code -D<prefix>.KEY=VALUE}; an option wins over
 * a property. Each key is {@code {name, full default, quick default, description}}.
 */
final class BenchOptions {
    private final Map<String, String> values;

    private BenchOptions(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * The settings of {@code program}'s command line; null when help was asked for (and printed).
     * A wrong command line is reported with the usage, and the JVM exits with status 2.
     */
    static BenchOptions parseOrExit(String program, String[] args, String[][] keys, String prefix) {
        BenchOptions options;
        try {
            options = parse(args, keys, prefix);
        } catch (IllegalArgumentException e) {
            System.err.println(program + ": " + e.getMessage());
            System.err.print(usage(program, keys, prefix));
            System.exit(2);
            return null;
        }
        if (options == null) {
            System.out.print(usage(program, keys, prefix));
        }
        return options;
    }

    /** The settings, with "mode" full or quick; null when help was asked for. */
    static BenchOptions parse(String[] args, String[][] keys, String prefix) {
        boolean quick = false;
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            } else if (a.equals("--quick")) {
                quick = true;
            } else if (a.startsWith("--")) {
                String key = a.substring(2);
                String value;
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                given.put(key, value);
            } else {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("mode", quick ? "quick" : "full");
        for (String[] k : keys) {
            String value = System.getProperty(prefix + "." + k[0], quick ? k[2] : k[1]);
            if (given.containsKey(k[0])) {
                value = given.remove(k[0]);
            }
            config.put(k[0], value);
        }
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + given.keySet());
        }
        return new BenchOptions(config);
    }

    /**
     * The keys every end-to-end benchmark has ({@code scenarios}, all of {@code scenarios} by
     * default; {@code root}, /var/tmp; {@code json}, none), then its own.
     */
    static String[][] keys(String scenarios, String[][] own) {
        String[][] common = {
                {"scenarios", scenarios, scenarios, "which scenarios to run, in this order"},
                {"root", "/var/tmp", "/var/tmp", "directory under which the domains are made (a disk file system: direct I/O)"},
                {"json", "", "", "file to write the raw results to (JSON); none when empty"},
        };
        String[][] all = Arrays.copyOf(common, common.length + own.length);
        System.arraycopy(own, 0, all, common.length, own.length);
        return all;
    }

    static String usage(String program, String[][] keys, String prefix) {
        StringBuilder b = new StringBuilder("usage: " + program + " [--quick] [--KEY VALUE | --KEY=VALUE ...]\n"
                + "  (or -D" + prefix + ".KEY=VALUE; an option wins over a property)\n");
        int width = 0;
        for (String[] k : keys) {
            width = Math.max(width, k[0].length());
        }
        for (String[] k : keys) {
            b.append(String.format("  --%-" + width + "s %s (default %s, quick %s)%n", k[0], k[3],
                    k[1].isEmpty() ? "none" : k[1], k[2].isEmpty() ? "none" : k[2]));
        }
        return b.toString();
    }

    String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no setting " + key);
        }
        return v;
    }

    int integer(String key) {
        return Integer.parseInt(get(key).trim());
    }

    double decimal(String key) {
        return Double.parseDouble(get(key).trim());
    }

    boolean flag(String key) {
        return Boolean.parseBoolean(get(key).trim());
    }

    /** A comma-separated list of words. */
    List<String> names(String key) {
        return Arrays.stream(get(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    List<Integer> integers(String key) {
        return names(key).stream().map(Integer::parseInt).toList();
    }

    /** Every setting, for the results. */
    Map<String, String> all() {
        return values;
    }
}
