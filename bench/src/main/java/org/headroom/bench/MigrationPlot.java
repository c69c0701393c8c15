package org.headroom.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The migration benchmark's plot as SVG: for each mode (early attach, legacy), every migration's
 * guest-visible downtime and the storage work inside it, side by side, with the medians marked.
 *
 * @param byMode the migrations of each mode, as the benchmark records them
 */
record MigrationPlot(Map<String, List<Map<String, Object>>> byMode) {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e"};
    private static final String[][] PANELS = {
            {"downtime_ms", "guest-visible downtime (dst RESUME - src STOP), ms"},
            {"storage_in_downtime_ms", "storage work inside the downtime, ms"}};

    String svg() {
        int w = 1000;
        int h = 460;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='12'>%n<rect width='%d' height='%d' fill='white'/>%n", w, h, w, h));
        svg.append("<text x='20' y='24' font-size='15'>Live migration: early attach against legacy (attach inside the downtime),"
                + " alternating in one run</text>\n");
        for (int p = 0; p < PANELS.length; p++) {
            panel(svg, PANELS[p][0], PANELS[p][1], 70 + p * 480, 60, 380, 330);
        }
        int x = 70;
        int m = 0;
        for (String mode : byMode.keySet()) {
            svg.append(String.format(Locale.ROOT, "<circle cx='%d' cy='440' r='5' fill='%s'/><text x='%d' y='444'>%s</text>%n",
                    x, COLORS[m % COLORS.length], x + 10, mode));
            x += 120;
            m++;
        }
        return svg.append("</svg>\n").toString();
    }

    private void panel(StringBuilder svg, String key, String title, int left, int top, int width, int height) {
        double max = 1;
        for (List<Map<String, Object>> runs : byMode.values()) {
            for (Map<String, Object> r : runs) {
                double v = (Double) r.get(key);
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        max = niceCeiling(max * 1.1);
        int bottom = top + height;
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>%s</text>%n", left, top - 10, title));
        svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", left, top, left, bottom));
        svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", left, bottom,
                left + width, bottom));
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            int y = (int) (bottom - height * t / 4.0);
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#ddd'/>"
                    + "<text x='%d' y='%d' text-anchor='end'>%s</text>%n", left, y, left + width, y, left - 6, y + 4,
                    String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.1f", v)));
        }
        int m = 0;
        int slot = width / Math.max(1, byMode.size());
        for (var e : byMode.entrySet()) {
            String color = COLORS[m % COLORS.length];
            int cx = left + slot * m + slot / 2;
            List<Double> values = new ArrayList<>();
            int i = 0;
            for (Map<String, Object> r : e.getValue()) {
                double v = (Double) r.get(key);
                if (Double.isNaN(v)) {
                    continue;
                }
                values.add(v);
                int x = cx - slot / 4 + (i++ % 10) * (slot / 2) / 10;
                int y = (int) (bottom - height * v / max);
                svg.append(String.format(Locale.ROOT, "<circle cx='%d' cy='%d' r='4' fill='%s' fill-opacity='0.7'/>%n", x, y, color));
            }
            Double median = BenchSupport.percentileOf(values, 50);
            if (median != null) {
                int y = (int) (bottom - height * median / max);
                svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='3'/>"
                        + "<text x='%d' y='%d'>p50 %.1f</text>%n", cx - slot / 3, y, cx + slot / 3, y, color, cx + slot / 3 + 4,
                        y + 4, median));
            }
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>%s</text>%n", cx, bottom + 18,
                    e.getKey()));
            m++;
        }
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
