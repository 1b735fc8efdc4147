package io.flexroute.benchmarks.overhead;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A grouped bar chart written as a standalone SVG document: one group of bars per category, one bar
 * per series in each group, a linear y axis through zero (negative values hang below it), value
 * labels on the bars and a legend.
 *
 * <p>Immutable and thread-safe.
 */
final class SvgBarChart {

  private static final int WIDTH = 760;
  private static final int HEIGHT = 400;
  private static final int LEFT = 72;
  private static final int RIGHT = 16;
  private static final int TOP = 48;
  private static final int BOTTOM = 96;

  /**
   * One series of bars.
   *
   * @param name the legend entry
   * @param color a CSS colour
   * @param values one value per category
   */
  record Series(String name, String color, List<Double> values) {
    Series {
      values = List.copyOf(values);
    }
  }

  private final String title;
  private final String axisLabel;
  private final List<String> categories;
  private final List<Series> series;

  SvgBarChart(String title, String axisLabel, List<String> categories, List<Series> series) {
    this.title = Objects.requireNonNull(title, "title");
    this.axisLabel = Objects.requireNonNull(axisLabel, "axisLabel");
    this.categories = List.copyOf(categories);
    this.series = List.copyOf(series);
    if (this.categories.isEmpty() || this.series.isEmpty()) {
      throw new IllegalArgumentException("a chart needs at least one category and one series");
    }
    for (Series s : this.series) {
      if (s.values().size() != this.categories.size()) {
        throw new IllegalArgumentException(
            "series '" + s.name() + "' has " + s.values().size() + " values for "
                + this.categories.size() + " categories");
      }
    }
  }

  String render() {
    double min = 0;
    double max = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (max == min) {
      max = min + 1;
    }
    double step = niceStep((max - min) / 5);
    double low = Math.floor(min / step) * step;
    double high = Math.ceil(max / step) * step;
    double plotHeight = HEIGHT - TOP - BOTTOM;
    double plotWidth = WIDTH - LEFT - RIGHT;
    Scale y = new Scale(low, high, TOP + plotHeight, TOP);

    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT,
        "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
    text(svg, WIDTH / 2.0, 24, "middle", "15", "bold", title);
    // Grid lines and tick labels.
    for (double v = low; v <= high + step / 2; v += step) {
      double py = y.at(v);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          LEFT, py, WIDTH - RIGHT, py));
      text(svg, LEFT - 6, py + 4, "end", "11", "normal", format(v));
    }
    svg.append(String.format(Locale.ROOT,
        "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s"
            + "</text>%n",
        TOP + plotHeight / 2, TOP + plotHeight / 2, escape(axisLabel)));
    // Bars.
    double groupWidth = plotWidth / categories.size();
    double barWidth = groupWidth * 0.8 / series.size();
    for (int c = 0; c < categories.size(); c++) {
      double groupLeft = LEFT + c * groupWidth + groupWidth * 0.1;
      for (int s = 0; s < series.size(); s++) {
        double v = series.get(s).values().get(c);
        double x = groupLeft + s * barWidth;
        double top = y.at(Math.max(v, 0));
        double bottom = y.at(Math.min(v, 0));
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
            x, top, Math.max(barWidth - 2, 1), Math.max(bottom - top, 0.5),
            series.get(s).color()));
        double labelY = v >= 0 ? top - 3 : bottom + 11;
        text(svg, x + barWidth / 2 - 1, labelY, "middle", "10", "normal", format(v));
      }
      text(svg, LEFT + c * groupWidth + groupWidth / 2, TOP + plotHeight + 18, "middle", "12",
          "normal", categories.get(c));
    }
    // Zero line.
    svg.append(String.format(Locale.ROOT,
        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>%n",
        LEFT, y.at(0), WIDTH - RIGHT, y.at(0)));
    // Legend, in rows that fit the width.
    double lx = LEFT;
    double ly = HEIGHT - BOTTOM + 46;
    for (Series s : series) {
      double entryWidth = 22 + 7 * s.name().length();
      if (lx + entryWidth > WIDTH - RIGHT) {
        lx = LEFT;
        ly += 18;
      }
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
          lx, ly - 10, s.color()));
      text(svg, lx + 16, ly, "start", "12", "normal", s.name());
      lx += entryWidth + 12;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void text(
      StringBuilder svg, double x, double y, String anchor, String size, String weight,
      String content) {
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%s\" font-weight=\"%s\">%s"
            + "</text>%n",
        x, y, anchor, size, weight, escape(content)));
  }

  /** The smallest of 1, 2 or 5 times a power of ten that is at least {@code rough}. */
  static double niceStep(double rough) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * magnitude >= rough) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  static String format(double v) {
    double a = Math.abs(v);
    if (a >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, a >= 10 ? "%.0f" : "%.1f", v);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }

  /** Maps values to pixels. */
  private record Scale(double low, double high, double bottomPx, double topPx) {
    double at(double v) {
      return bottomPx - (v - low) / (high - low) * (bottomPx - topPx);
    }
  }
}
