package io.flexroute.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgBarChartTest {

  @Test
  void drawsOneBarPerSeriesAndCategoryInWellFormedSvg() throws Exception {
    SvgBarChart chart =
        new SvgBarChart(
            "Added <latency> & more",
            "µs",
            List.of("c=1", "c=8", "c=32"),
            List.of(
                new SvgBarChart.Series("a", "#111111", List.of(1.0, 2.5, -3.0)),
                new SvgBarChart.Series("b", "#222222", List.of(100.0, 250.0, 900.0))));

    Document svg = parse(chart.render());

    long bars =
        count(svg, "rect", "#111111") + count(svg, "rect", "#222222");
    // Six bars plus the two legend swatches.
    assertThat(bars).isEqualTo(8);
    assertThat(svg.getDocumentElement().getTextContent()).contains("Added <latency> & more");
    assertThat(svg.getDocumentElement().getTextContent()).contains("2.5", "-3", "900");
  }

  @Test
  void drawsAllZeroValues() throws Exception {
    SvgBarChart chart =
        new SvgBarChart("t", "y", List.of("x"),
            List.of(new SvgBarChart.Series("s", "#333333", List.of(0.0))));

    assertThat(parse(chart.render()).getDocumentElement().getTagName()).isEqualTo("svg");
  }

  @Test
  void stacksASeriesOnThePreviousOneAndDrawsPanels() throws Exception {
    SvgBarChart chart =
        new SvgBarChart("t", "y", List.of("small", "large"),
            List.of(
                new SvgBarChart.Series("base", "#444444", List.of(1.0, 1000.0)),
                new SvgBarChart.Series("top", "#555555", List.of(2.0, 500.0), true)),
            true);

    Document svg = parse(chart.render());

    assertThat(count(svg, "rect", "#444444")).isEqualTo(3);
    assertThat(count(svg, "rect", "#555555")).isEqualTo(3);
    // The stacks' totals label the bars.
    assertThat(svg.getDocumentElement().getTextContent()).contains("1500");
  }

  @Test
  void refusesToStackTheFirstSeries() {
    assertThatThrownBy(
            () ->
                new SvgBarChart("t", "y", List.of("x"),
                    List.of(new SvgBarChart.Series("s", "#333333", List.of(1.0), true))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("first series");
  }

  @Test
  void rejectsSeriesOfTheWrongLength() {
    assertThatThrownBy(
            () ->
                new SvgBarChart("t", "y", List.of("x", "y"),
                    List.of(new SvgBarChart.Series("s", "#333333", List.of(1.0)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'s'");
  }

  @Test
  void picksRoundTickSteps() {
    assertThat(SvgBarChart.niceStep(0.7)).isEqualTo(1.0);
    assertThat(SvgBarChart.niceStep(13)).isEqualTo(20.0);
    assertThat(SvgBarChart.niceStep(45)).isEqualTo(50.0);
    assertThat(SvgBarChart.niceStep(51)).isEqualTo(100.0);
  }

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static long count(Document svg, String tag, String fill) {
    var nodes = svg.getElementsByTagName(tag);
    long n = 0;
    for (int i = 0; i < nodes.getLength(); i++) {
      var fillAttribute = nodes.item(i).getAttributes().getNamedItem("fill");
      if (fillAttribute != null && fillAttribute.getNodeValue().equals(fill)) {
        n++;
      }
    }
    return n;
  }
}
