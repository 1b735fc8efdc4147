package io.flexroute.benchmarks.sim;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws replay results as an SVG chart: for each workload, each strategy's throughput relative to
 * round robin and its cache hit rate, as horizontal bars, with the targets as dashed lines.
 * Stateless.
 */
final class ReplayChart {

  private static final int WIDTH = 980;
  private static final int LABEL = 190;
  private static final int PANEL = 330;
  private static final int GAP = 60;
  private static final int ROW = 17;
  private static final int HEADER = 48;
  private static final int FOOTER = 26;
  private static final String FONT = "font-family=\"Helvetica, Arial, sans-serif\"";

  private ReplayChart() {}

  static String svg(Map<Workload, List<ReplayRow>> results, List<String> highlighted) {
    int height = 52;
    for (List<ReplayRow> rows : results.values()) {
      height += HEADER + rows.size() * ROW + FOOTER;
    }
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\">%n",
            WIDTH,
            height,
            WIDTH,
            height));
    out.append(
        String.format(
            Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
    text(
        out,
        12,
        24,
        15,
        "bold",
        "start",
        "Strategy replay on 8 simulated workers (Llama 3.1 8B on H100; virtual time)");
    text(
        out,
        12,
        40,
        11,
        "normal",
        "start",
        "Orange: cache_aware and shortest_ttft (the strategies with targets). Grey: a reference,"
            + " not a built-in. Red dashes: the targets (1.9x throughput, 3x round_robin's hit"
            + " rate).");
    int y = 52;
    for (Map.Entry<Workload, List<ReplayRow>> e : results.entrySet()) {
      y = block(out, y, e.getKey(), e.getValue(), highlighted);
    }
    out.append("</svg>\n");
    return out.toString();
  }

  private static int block(
      StringBuilder out, int top, Workload w, List<ReplayRow> rows, List<String> highlighted) {
    double maxRatio = 2.5;
    for (ReplayRow r : rows) {
      maxRatio = Math.max(maxRatio, Math.ceil(r.throughputRatio() * 2) / 2);
    }
    int left = LABEL;
    int right = LABEL + PANEL + GAP;
    text(out, 12, top + 18, 13, "bold", "start", w.title());
    text(out, left, top + 38, 11, "normal", "start", "output throughput vs round_robin");
    text(out, right, top + 38, 11, "normal", "start", "cache hit rate");
    int y0 = top + HEADER;
    int bottom = y0 + rows.size() * ROW;
    axis(out, left, y0, bottom, maxRatio, true);
    axis(out, right, y0, bottom, 1.0, false);
    ReplayRow baseline = rows.get(0);
    for (int i = 0; i < rows.size(); i++) {
      ReplayRow r = rows.get(i);
      int y = y0 + i * ROW;
      String name = r.result().strategy();
      String fill = !r.builtIn() ? "#bbbbbb" : highlighted.contains(name) ? "#d9622b" : "#4c78a8";
      text(out, left - 8, y + 12, 11, "normal", "end", r.builtIn() ? name : name + " (ref.)");
      double ratio = r.throughputRatio();
      bar(out, left, y + 3, PANEL * ratio / maxRatio, fill);
      text(
          out,
          left + (int) (PANEL * ratio / maxRatio) + 4,
          y + 12,
          10,
          "normal",
          "start",
          String.format(Locale.ROOT, "%.2fx", ratio));
      double hit = r.result().cacheHitRate();
      bar(out, right, y + 3, PANEL * hit, fill);
      text(
          out,
          right + (int) (PANEL * hit) + 4,
          y + 12,
          10,
          "normal",
          "start",
          String.format(Locale.ROOT, "%.0f%%", 100 * hit));
    }
    if (w.kind() == Workload.Kind.MULTI_TURN) {
      dashed(
          out, left + PANEL * ReplayMarkdown.THROUGHPUT_TARGET / maxRatio, y0, bottom, "#c0392b");
      double hitTarget = ReplayMarkdown.CACHE_HIT_TARGET * baseline.result().cacheHitRate();
      if (hitTarget <= 1) {
        dashed(out, right + PANEL * hitTarget, y0, bottom, "#c0392b");
      }
    }
    return bottom + FOOTER;
  }

  private static void axis(
      StringBuilder out, int x, int top, int bottom, double max, boolean ratio) {
    double step = ratio ? 0.5 : 0.25;
    for (double v = 0; v <= max + 1e-9; v += step) {
      double px = x + PANEL * v / max;
      boolean one = ratio && Math.abs(v - 1) < 1e-9;
      out.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\""
                  + " stroke-width=\"1\"/>%n",
              px,
              top,
              px,
              bottom,
              one ? "#555555" : "#e3e3e3"));
      text(
          out,
          (int) px,
          bottom + 13,
          9,
          "normal",
          "middle",
          ratio
              ? String.format(Locale.ROOT, "%.1fx", v)
              : String.format(Locale.ROOT, "%.0f%%", 100 * v));
    }
  }

  private static void bar(StringBuilder out, int x, int y, double width, String fill) {
    out.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
            x,
            y,
            Math.max(0.5, width),
            ROW - 6,
            fill));
  }

  private static void dashed(StringBuilder out, double x, int top, int bottom, String color) {
    out.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\""
                + " stroke-dasharray=\"4 3\"/>%n",
            x,
            top - 4,
            x,
            bottom,
            color));
  }

  private static void text(
      StringBuilder out, int x, int y, int size, String weight, String anchor, String s) {
    out.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" %s font-size=\"%d\" font-weight=\"%s\""
                + " text-anchor=\"%s\">%s</text>%n",
            x,
            y,
            FONT,
            size,
            weight,
            anchor,
            escape(s)));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
