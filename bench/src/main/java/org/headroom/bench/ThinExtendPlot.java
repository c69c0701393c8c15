package org.headroom.bench;

import static org.headroom.bench.BenchSupport.loadAverage;
import static org.headroom.bench.ThinExtendReport.fmt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * The plot of scenario (a) as SVG: each extension's latency over time (log scale) above the
 * guest's write rate, one colour per policy, with the limit of scenario (b) and the pauses.
 *
 * @param runs        the runs of scenario (a)
 * @param limit       the limit rate of scenario (b), MiB/s, or null
 * @param window      the bins of the write rate, seconds
 * @param chunkMiB    the chunk of (a)
 * @param utilization its utilization %
 */
record ThinExtendPlot(List<RunResult> runs, Double limit, double window, int chunkMiB, int utilization) {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"};

    String svg() {
        int w = 1000;
        int h = 760;
        int left = 80;
        int right = 770;
        int[] top = {70, 430};
        int[] bottom = {350, 700};
        double tMax = 1;
        double msMin = Double.MAX_VALUE;
        double msMax = 0;
        double rateMax = 1;
        List<List<double[]>> rates = new ArrayList<>();
        for (RunResult r : runs) {
            for (double[] p : r.progress) {
                tMax = Math.max(tMax, p[0]);
            }
            for (RunResult.Extension e : r.completed) {
                tMax = Math.max(tMax, e.startSeconds());
                msMin = Math.min(msMin, Math.max(0.1, e.totalMs()));
                msMax = Math.max(msMax, e.totalMs());
            }
            List<double[]> binned = rateBins(r.progress, window);
            rates.add(binned);
            for (double[] b : binned) {
                rateMax = Math.max(rateMax, b[1]);
            }
        }
        if (limit != null) {
            rateMax = Math.max(rateMax, limit);
        }
        if (msMax == 0) {
            msMin = 1;
            msMax = 1000;
        }
        double xMax = niceCeil(tMax);
        double logLo = Math.floor(Math.log10(msMin));
        double logHi = Math.ceil(Math.log10(msMax));
        if (logHi <= logLo) {
            logHi = logLo + 1;
        }
        double yMax = niceCeil(rateMax * 1.1);
        double fLogLo = logLo;
        double fLogHi = logHi;
        DoubleUnaryOperator x = t -> left + (right - left) * t / xMax;
        DoubleUnaryOperator yLat = ms -> bottom[0]
                - (bottom[0] - top[0]) * (Math.log10(Math.max(ms, Math.pow(10, fLogLo))) - fLogLo) / (fLogHi - fLogLo);
        DoubleUnaryOperator yRate = mibs -> bottom[1] - (bottom[1] - top[1]) * mibs / yMax;

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", w, h, w, h));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        RunResult first = runs.get(0);
        s.append(text(w / 2.0, 24, "middle", 16, "bold", String.format(Locale.ROOT,
                "Thin extend, real guest and mailbox: chunk %d MiB at %d %%, guest unthrottled, %d MiB written",
                chunkMiB, utilization, first.sizeMiB)));
        s.append(text(w / 2.0, 44, "middle", 12, "normal", String.format(Locale.ROOT,
                "%s; each point is one extension: the VolumeMonitor's total (trigger to re-armed); load %s",
                Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC", loadAverage())));

        // Axes and grids.
        for (int panel = 0; panel < 2; panel++) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
                    left, top[panel], right - left, bottom[panel] - top[panel]));
            double step = niceStep(xMax / 8);
            for (double t = 0; t <= xMax + 1e-9; t += step) {
                double px = x.applyAsDouble(t);
                s.append(line(px, top[panel], px, bottom[panel], "#e4e4e4", 1, null));
                s.append(text(px, bottom[panel] + 16, "middle", 11, "normal", trim(t)));
            }
            s.append(text((left + right) / 2.0, bottom[panel] + 34, "middle", 12, "normal",
                    "time since the guest's first write (s, this host's clock)"));
        }
        for (double d = logLo; d <= logHi + 1e-9; d++) {
            double py = yLat.applyAsDouble(Math.pow(10, d));
            s.append(line(left, py, right, py, "#cfcfcf", 1, null));
            s.append(text(left - 6, py + 4, "end", 11, "normal", trim(Math.pow(10, d))));
            if (d < logHi) {
                for (int m = 2; m <= 9; m++) {
                    double my = yLat.applyAsDouble(m * Math.pow(10, d));
                    s.append(line(left, my, right, my, "#f0f0f0", 1, null));
                    if (m == 2 || m == 5) {
                        s.append(text(left - 6, my + 4, "end", 10, "normal", trim(m * Math.pow(10, d))));
                    }
                }
            }
        }
        s.append(vtext(24, (top[0] + bottom[0]) / 2.0, "extension latency (ms, log scale)"));
        double rStep = niceStep(yMax / 6);
        for (double v = 0; v <= yMax + 1e-9; v += rStep) {
            double py = yRate.applyAsDouble(v);
            s.append(line(left, py, right, py, "#e4e4e4", 1, null));
            s.append(text(left - 6, py + 4, "end", 11, "normal", trim(v)));
        }
        s.append(vtext(24, (top[1] + bottom[1]) / 2.0, String.format(Locale.ROOT, "guest write rate (MiB/s, %s s bins)", trim(window))));
        s.append(text(left, top[0] - 8, "start", 13, "bold", "Extension latency per extension"));
        s.append(text(left, top[1] - 8, "start", 13, "bold", "Guest write rate (from its progress lines); dashed verticals: ENOSPC pauses"));

        // Limit line.
        if (limit != null) {
            double py = yRate.applyAsDouble(limit);
            s.append(line(left, py, right, py, "#555", 1.2, "6,4"));
            s.append(text(right - 4, py - 5, "end", 11, "normal", "limit: " + fmt(limit) + " MiB/s (no extension, scenario b)"));
        }

        // Series.
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            String color = COLORS[i % COLORS.length];
            for (double p : r.pauseTimes) {
                double px = x.applyAsDouble(p);
                s.append(line(px, top[1], px, bottom[1], color, 1, "3,3").replace("/>", " opacity=\"0.6\"/>"));
            }
            StringBuilder pts = new StringBuilder();
            for (RunResult.Extension e : r.completed) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(e.startSeconds()), yLat.applyAsDouble(e.totalMs())));
            }
            if (pts.length() > 0) {
                s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1\" opacity=\"0.5\"/>%n",
                        pts.toString().trim(), color));
            }
            for (RunResult.Extension e : r.completed) {
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s: %s ms at %s s, to %s MiB</title></circle>%n",
                        x.applyAsDouble(e.startSeconds()), yLat.applyAsDouble(e.totalMs()), color, esc(r.label),
                        trim(BenchSupport.round(e.totalMs())), trim(e.startSeconds()), trim(e.record().toSize() / (double) ExtendSetup.MIB)));
            }
            StringBuilder rp = new StringBuilder();
            for (double[] b : rates.get(i)) {
                rp.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(b[0]), yRate.applyAsDouble(b[1])));
            }
            if (rp.length() > 0) {
                s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"/>%n",
                        rp.toString().trim(), color));
            }
        }

        // Legend.
        int lx = right + 20;
        int ly = top[0] + 10;
        s.append(text(lx, ly, "start", 13, "bold", "Legend"));
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            String color = COLORS[i % COLORS.length];
            int y0 = ly + 24 + i * 92;
            s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"/>%n", lx + 6, y0 - 4, color));
            s.append(line(lx + 14, y0 - 4, lx + 34, y0 - 4, color, 1.6, null));
            s.append(text(lx + 40, y0, "start", 12, "bold", r.label));
            s.append(text(lx + 6, y0 + 16, "start", 11, "normal", r.setup.mailbox().name() + " mailbox"));
            s.append(text(lx + 6, y0 + 31, "start", 11, "normal", String.format(Locale.ROOT, "p50 %s, p99 %s ms", fmt(r.p(50)), fmt(r.p(99)))));
            s.append(text(lx + 6, y0 + 46, "start", 11, "normal", String.format(Locale.ROOT, "%d extensions, %d pauses", r.extensions, r.pauses())));
            s.append(text(lx + 6, y0 + 61, "start", 11, "normal", String.format(Locale.ROOT, "guest %s MiB/s", fmt(r.guestRate))));
        }
        int ny = ly + 24 + runs.size() * 92;
        s.append(line(lx + 2, ny, lx + 30, ny, "#555", 1, "3,3"));
        s.append(text(lx + 36, ny + 4, "start", 11, "normal", "ENOSPC pause"));
        s.append("</svg>\n");
        return s.toString();
    }

    /** MiB/s per bin of {@code window} seconds, at the bins' centres, from (t, _, MiB) progress points. */
    private static List<double[]> rateBins(List<double[]> progress, double window) {
        List<double[]> out = new ArrayList<>();
        if (progress.isEmpty()) {
            return out;
        }
        double end = progress.get(progress.size() - 1)[0];
        int bins = (int) Math.ceil(end / window) + 1;
        double[] mib = new double[bins];
        double previous = 0;
        for (double[] p : progress) {
            int bin = (int) Math.max(0, Math.floor(p[0] / window));
            mib[Math.min(bin, bins - 1)] += p[2] - previous;
            previous = p[2];
        }
        for (int i = 0; i < bins; i++) {
            double from = i * window;
            double span = Math.min(window, end - from); // the last bin ends with the last line
            if (span < window / 2) {
                break;
            }
            out.add(new double[] {from + span / 2, mib[i] / span});
        }
        return out;
    }

    private static String line(double x1, double y1, double x2, double y2, String color, double width, String dash) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"%s/>%n",
                x1, y1, x2, y2, color, trim(width), dash == null ? "" : " stroke-dasharray=\"" + dash + "\"");
    }

    private static String text(double x, double y, String anchor, int size, String weight, String text) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n",
                x, y, anchor, size, weight, esc(text));
    }

    private static String vtext(double x, double y, String text) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" "
                + "transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n", x, y, x, y, esc(text));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static double niceStep(double rough) {
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    private static double niceCeil(double v) {
        double step = niceStep(v / 5);
        return Math.ceil(v / step) * step;
    }

    private static String trim(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.2f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

}
