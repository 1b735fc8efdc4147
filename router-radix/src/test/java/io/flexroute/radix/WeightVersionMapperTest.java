package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WeightVersionMapperTest {

  @Test
  void standard_mapsDecimalsToThemselves() {
    WeightVersionMapper m = WeightVersionMapper.standard();
    assertThat(m.toInt("7")).isEqualTo(7);
    assertThat(m.toInt(" 12 ")).isEqualTo(12);
    assertThat(m.toInt("0")).isZero();
    assertThat(m.toInt("2147483647")).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void standard_numbersOtherStringsInOrderOfFirstSight_aboveTheHighestSoFar() {
    WeightVersionMapper m = WeightVersionMapper.standard();
    assertThat(m.toInt("default")).isZero();
    assertThat(m.toInt("3")).isEqualTo(3);
    assertThat(m.toInt("step-a")).isEqualTo(4);
    assertThat(m.toInt("step-b")).isEqualTo(5);
    assertThat(m.toInt("default")).isZero();
    assertThat(m.toInt("step-a")).isEqualTo(4);
    assertThat(m.toInt("-3")).isEqualTo(6);
    assertThat(m.toInt("99999999999")).isEqualTo(7);
    assertThat(m.toInt("")).isEqualTo(8);
  }

  @Test
  void standard_initialLabelIsZero_evenWhenSeenAfterUpdates() {
    // A worker restarted on its initial weights reports "default" after "7": still the oldest.
    WeightVersionMapper m = WeightVersionMapper.standard();
    assertThat(m.toInt("7")).isEqualTo(7);
    assertThat(m.toInt("default")).isZero();
    assertThat(m.toInt("step-x")).isEqualTo(8);
  }

  @Test
  void standard_instancesHaveTheirOwnRegistry() {
    WeightVersionMapper a = WeightVersionMapper.standard();
    WeightVersionMapper b = WeightVersionMapper.standard();
    a.toInt("10");
    assertThat(a.toInt("x")).isEqualTo(11);
    // 0 is the initial weights' ("default"), so a first label gets 1.
    assertThat(b.toInt("x")).isEqualTo(1);
    assertThat(b.toInt("default")).isZero();
  }
}
