package io.flexroute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightVersionsTest {

  private final Comparator<String> order = WeightVersions.naturalOrder();

  @Test
  void naturalOrder_comparesNumbersAsNumbers() {
    List<String> versions =
        new ArrayList<>(List.of("10", "v1.10", "2", "step-1200", "default", "v1.2", "step-300",
            "7", "abc", "step-9"));
    Collections.shuffle(versions, new Random(7));
    versions.sort(order);
    assertThat(versions)
        .containsExactly("default", "2", "7", "10", "abc", "step-9", "step-300", "step-1200",
            "v1.2", "v1.10");
  }

  @Test
  void naturalOrder_putsTheInitialLabelFirstAndStaysConsistentWithEquals() {
    assertThat(order.compare("default", "0")).isNegative();
    assertThat(order.compare("0", "default")).isPositive();
    assertThat(order.compare("7", "7")).isZero();
    assertThat(order.compare("07", "7")).isNotZero();
    assertThat(Integer.signum(order.compare("07", "7")))
        .isEqualTo(-Integer.signum(order.compare("7", "07")));
    assertThat(order.compare("1", "1a")).isNegative();
    assertThat(order.compare("99999999999999999999", "100000000000000000000")).isNegative();
  }

  @Test
  void naturalOrder_isATotalOrderOnRandomLabels() {
    Random random = new Random(42);
    List<String> labels = new ArrayList<>();
    String alphabet = "0129ab-.";
    for (int i = 0; i < 300; i++) {
      StringBuilder b = new StringBuilder();
      int n = 1 + random.nextInt(6);
      for (int j = 0; j < n; j++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      labels.add(b.toString());
    }
    labels.add("default");
    for (String a : labels) {
      for (String b : labels) {
        int ab = Integer.signum(order.compare(a, b));
        assertThat(ab).isEqualTo(-Integer.signum(order.compare(b, a)));
        assertThat(ab == 0).isEqualTo(a.equals(b));
      }
    }
    List<String> sorted = new ArrayList<>(labels);
    sorted.sort(order);
    for (int i = 0; i + 2 < sorted.size(); i++) {
      assertThat(order.compare(sorted.get(i), sorted.get(i + 2))).isLessThanOrEqualTo(0);
    }
  }

  @Test
  void minWeightVersion_isValidatedAndCopied() {
    GenerateRequest r = GenerateRequest.builder().text("x").minWeightVersion("8").build();
    assertThat(r.minWeightVersion()).isEqualTo("8");
    assertThat(r.toBuilder().build().minWeightVersion()).isEqualTo("8");
    assertThat(r.toString()).contains("minWeightVersion=8");
    assertThat(ChatRequest.builder().message(ChatMessage.user("x")).build().minWeightVersion())
        .isNull();
    assertThatThrownBy(() -> GenerateRequest.builder().minWeightVersion(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minWeightVersion must not be blank");
  }
}
