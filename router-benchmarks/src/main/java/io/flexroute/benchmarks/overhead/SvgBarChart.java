package io.flexroute.benchmarks.overhead;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A grouped bar chart written as a standalone SVG document: one group of bars per category, one bar
 * per series in each group (or one segment, for a series stacked on the one before it), a linear y
 * axis through zero (negative values hang below it), value labels and a legend. Either all
 * categories share one y axis, or each category gets a panel with an axis of its own, for values of
 * very different sizes.
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
  private static final int PANEL_AXIS = 44;
  private static final int PANEL_GAP = 12;

  /**
   * One series of bars.
   *
   * @param name the legend entry
   * @param color a CSS colour
   * @param values one value per category
   * @param stacked whether its bars sit on top of the previous series' bars instead of beside
   *     them
   */
  record Series(String name, String color, List<Double> values, boolean stacked) {
    Series {
      values = List.copyOf(values);
    }

    Series(String name, String color, List<Double> values) {
      this(name, color, values, false);
    }
  }

  private final String title;
  private final String axisLabel;
  private final List<String> categories;
  private final List<Series> series;
  private final boolean panels;
  /** Series indices per bar slot: a slot holds a series and those stacked on it. */
  private final List<List<Integer>> slots;

  /**
   * Creates a chart.
   *
   * @param panels whether each category gets a panel with its own y axis
   * @throws IllegalArgumentException if there is no category or series, a series has the wrong
   *     number of values, or the first series is stacked
   */
  SvgBarChart(
      String title, String axisLabel, List<String> categories, List<Series> series,
      boolean panels) {
    this.title = Objects.requireNonNull(title, "title");
    this.axisLabel = Objects.requireNonNull(axisLabel, "axisLabel");
    this.categories = List.copyOf(categories);
    this.series = List.copyOf(series);
    this.panels = panels;
    if (this.categories.isEmpty() || this.series.isEmpty()) {
      throw new IllegalArgumentException("a chart needs at least one category and one series");
    }
    if (this.series.get(0).stacked()) {
      throw new IllegalArgumentException("the first series has nothing to stack on");
    }
    List<List<Integer>> slotList = new ArrayList<>();
    for (int s = 0; s < this.series.size(); s++) {
      Series one = this.series.get(s);
      if (one.values().size() != this.categories.size()) {
        throw new IllegalArgumentException(
            "series '" + one.name() + "' has " + one.values().size() + " values for "
                + this.categories.size() + " categories");
      }
      if (one.stacked()) {
        slotList.get(slotList.size() - 1).add(s);
      } else {
        slotList.add(new ArrayList<>(List.of(s)));
      }
    }
    this.slots = slotList;
  }

  /** A chart whose categories share one y axis. */
  SvgBarChart(String title, String axisLabel, List<String> categories, List<Series> series) {
    this(title, axisLabel, categories, series, false);
  }

  String render() {
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT,
        "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
    text(svg, WIDTH / 2.0, 24, "middle", "15", "bold", title);
    double plotHeight = HEIGHT - TOP - BOTTOM;
    svg.append(String.format(Locale.ROOT,
        "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s"
            + "</text>%n",
        TOP + plotHeight / 2, TOP + plotHeight / 2, escape(axisLabel)));
    if (panels) {
      // Each category gets a band; every band but the first keeps room for its own tick labels.
      double band = (WIDTH - LEFT - RIGHT) / (double) categories.size();
      for (int c = 0; c < categories.size(); c++) {
        double axisX = LEFT + c * band + (c == 0 ? 0 : PANEL_AXIS);
        double right = LEFT + (c + 1) * band - PANEL_GAP;
        drawPanel(svg, List.of(c), axisX, right);
      }
    } else {
      List<Integer> all = new ArrayList<>();
      for (int c = 0; c < categories.size(); c++) {
        all.add(c);
      }
      drawPanel(svg, all, LEFT, WIDTH - RIGHT);
    }
    drawLegend(svg);
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** Draws an axis at {@code left} and the groups of the given categories up to {@code right}. */
  private void drawPanel(StringBuilder svg, List<Integer> shown, double left, double right) {
    double min = 0;
    double max = 0;
    for (int c : shown) {
      for (List<Integer> slot : slots) {
        double up = 0;
        double down = 0;
        for (int s : slot) {
          double v = series.get(s).values().get(c);
          if (v >= 0) {
            up += v;
          } else {
            down += v;
          }
        }
        max = Math.max(max, up);
        min = Math.min(min, down);
      }
    }
    if (max == min) {
      max = min + 1;
    }
    double step = niceStep((max - min) / 5);
    double low = Math.floor(min / step) * step;
    double high = Math.ceil(max / step) * step;
    double plotHeight = HEIGHT - TOP - BOTTOM;
    Scale y = new Scale(low, high, TOP + plotHeight, TOP);
    for (double v = low; v <= high + step / 2; v += step) {
      double py = y.at(v);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          left, py, right, py));
      text(svg, left - 6, py + 4, "end", "11", "normal", format(v));
    }
    double groupWidth = (right - left) / shown.size();
    double barWidth = groupWidth * 0.84 / slots.size();
    for (int g = 0; g < shown.size(); g++) {
      int c = shown.get(g);
      double groupLeft = left + g * groupWidth + groupWidth * 0.08;
      for (int k = 0; k < slots.size(); k++) {
        double x = groupLeft + k * barWidth;
        double up = 0;
        double down = 0;
        for (int s : slots.get(k)) {
          double v = series.get(s).values().get(c);
          double from = v >= 0 ? up : down;
          double to = from + v;
          if (v >= 0) {
            up = to;
          } else {
            down = to;
          }
          double top = y.at(Math.max(from, to));
          double bottom = y.at(Math.min(from, to));
          svg.append(String.format(Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
              x, top, Math.max(barWidth - 2, 1), Math.max(bottom - top, 0.5),
              series.get(s).color()));
        }
        // One label per slot: the stack's total, above (or below) it.
        double total = up + down;
        double labelY = total >= 0 ? y.at(up) - 3 : y.at(down) + 11;
        text(svg, x + barWidth / 2 - 1, labelY, "middle", "10", "normal", format(total));
      }
      text(svg, left + g * groupWidth + groupWidth / 2, TOP + plotHeight + 18, "middle", "12",
          "normal", categories.get(c));
    }
    svg.append(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>%n",
        left, y.at(0), right, y.at(0)));
  }

  /** The legend, in rows that fit the width. */
  private void drawLegend(StringBuilder svg) {
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
    if (a >= 10 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.1f", v);
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
