package io.flexroute.core.strategy.internal;

/**
 * A map key that compares the object it wraps by identity, for objects whose own {@code equals}
 * compares by value (lists, request types) where a cache must tell two equal instances apart.
 *
 * <p>Immutable and thread-safe.
 */
public final class IdentityKey {

  private final Object ref;

  /**
   * Wraps an object.
   *
   * @param ref the object
   */
  public IdentityKey(Object ref) {
    this.ref = ref;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdentityKey k && k.ref == ref;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(ref);
  }
}
