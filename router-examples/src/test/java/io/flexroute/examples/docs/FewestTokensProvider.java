package io.flexroute.examples.docs;

import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;

/** The provider of docs/strategies.md, which makes {@link FewestTokensStrategy} selectable by name. */
// tag::provider[]
public final class FewestTokensProvider implements StrategyProvider {
  public FewestTokensProvider() {}
  @Override public String name() { return "fewest_tokens"; }
  @Override public RoutingStrategy create() { return new FewestTokensStrategy(); }
}
// end::provider[]
