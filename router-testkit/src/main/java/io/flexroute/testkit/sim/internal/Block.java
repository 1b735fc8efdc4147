package io.flexroute.testkit.sim.internal;

/**
 * One KV block of an engine: private to a request while it fills, then (once full) registered in
 * the prefix cache under the hash of its tokens and every token before them, shared by reference
 * count, and on the least-recently-used list while nobody uses it.
 *
 * <p>Not thread-safe; owned by one engine.
 */
final class Block {

  long hash;
  boolean registered;
  int refCount;
  Block lruPrev;
  Block lruNext;

  Block() {
    this.lruPrev = this;
    this.lruNext = this;
  }

  boolean onLru() {
    return lruNext != this;
  }
}
