package io.flexroute.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DocRegionTest {

  @Test
  void replacesOnlyTheTextBetweenTheMarkers() {
    String doc = "# Title\nintro\n" + DocRegion.BEGIN + "\nold table\n" + DocRegion.END
        + "\nafter\n";

    String updated = DocRegion.replaced(doc, "| new |");

    assertThat(updated)
        .isEqualTo("# Title\nintro\n" + DocRegion.BEGIN + "\n| new |\n" + DocRegion.END
            + "\nafter\n");
    assertThat(DocRegion.replaced(updated, "| new |")).isEqualTo(updated);
  }

  @Test
  void refusesADocumentWithoutMarkers() {
    assertThatThrownBy(() -> DocRegion.replaced("# Title\n", "x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("overhead-results");
    assertThatThrownBy(
            () -> DocRegion.replaced(DocRegion.END + "\n" + DocRegion.BEGIN + "\n", "x"))
        .isInstanceOf(IllegalStateException.class);
  }
}
