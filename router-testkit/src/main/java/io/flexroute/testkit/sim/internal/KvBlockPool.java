package io.flexroute.testkit.sim.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The KV cache of one engine: a fixed number of blocks of {@code blockTokens} tokens, with prefix
 * caching at block granularity (as vLLM's automatic prefix caching).
 *
 * <p>A block is private to its request while it fills; once full, it is registered under its
 * chained hash, so any request whose prompt starts with the same tokens reuses it. Registered
 * blocks nobody uses stay cached on a least-recently-used list and are evicted only when a block is
 * needed and none is free. A released request puts its blocks on that list deepest first, so the
 * tail of a prefix is evicted before its head and a cached prefix never has a hole.
 *
 * <p>Not thread-safe; owned by one engine.
 */
public final class KvBlockPool {

  private final int blockTokens;
  private final int totalBlocks;
  private final Map<Long, Block> registered = new HashMap<>();
  private final Block lru = new Block();
  private int lruSize;
  private int free;
  private long evictions;

  /**
   * Creates an empty pool.
   *
   * @param totalBlocks the number of blocks, at least 1
   * @param blockTokens the tokens per block, at least 1
   */
  public KvBlockPool(int totalBlocks, int blockTokens) {
    if (totalBlocks < 1 || blockTokens < 1) {
      throw new IllegalArgumentException(
          "totalBlocks and blockTokens must be >= 1, but were " + totalBlocks + ", " + blockTokens);
    }
    this.totalBlocks = totalBlocks;
    this.blockTokens = blockTokens;
    this.free = totalBlocks;
  }

  /** @return the tokens per block */
  public int blockTokens() {
    return blockTokens;
  }

  /** @return the number of blocks */
  public int totalBlocks() {
    return totalBlocks;
  }

  /** @return blocks holding nothing */
  public int freeBlocks() {
    return free;
  }

  /** @return cached blocks no request uses, which can be evicted */
  public int evictableBlocks() {
    return lruSize;
  }

  /** @return registered (cached) blocks, used or not */
  public int cachedBlocks() {
    return registered.size();
  }

  /** @return blocks evicted so far */
  public long evictions() {
    return evictions;
  }

  /** @return the share of blocks requests use now (neither free nor merely cached), from 0 to 1 */
  public double usage() {
    return (totalBlocks - free - lruSize) / (double) totalBlocks;
  }

  /**
   * The number of leading tokens of a sequence whose blocks are cached now, without using them.
   *
   * @param tokens the sequence
   * @param length how much of it to look at
   * @return a multiple of the block size, at most {@code length}
   */
  public int cachedPrefix(int[] tokens, int length) {
    long h = TokenHash.SEED;
    int matched = 0;
    for (int j = 0, blocks = length / blockTokens; j < blocks; j++) {
      h = TokenHash.block(h, tokens, j * blockTokens, blockTokens);
      if (!registered.containsKey(h)) {
        break;
      }
      matched++;
    }
    return matched * blockTokens;
  }

  /**
   * Admits a request if its blocks fit: reuses the cached blocks of its longest cached prefix
   * (leaving at least one token to compute) and allocates the rest up to its prefill target.
   *
   * @param r the request, holding no blocks
   * @param reserveBlocks blocks that must remain available afterwards
   * @return whether it was admitted; if not, nothing changed
   */
  boolean admit(EngineRequest r, int reserveBlocks) {
    r.target = r.generated == 0 ? r.promptLength : r.promptLength + r.generated - 1;
    int maxMatch = (r.target - 1) / blockTokens;
    long h = TokenHash.SEED;
    int matched = 0;
    int pinnedFromLru = 0;
    Block[] hits = new Block[maxMatch];
    for (int j = 0; j < maxMatch; j++) {
      long next = TokenHash.block(h, r.sequence, j * blockTokens, blockTokens);
      Block b = registered.get(next);
      if (b == null) {
        break;
      }
      hits[matched++] = b;
      if (b.refCount == 0) {
        pinnedFromLru++;
      }
      h = next;
    }
    int needed = ceilDiv(r.target, blockTokens) - matched;
    if ((long) needed + reserveBlocks > (long) free + lruSize - pinnedFromLru) {
      return false;
    }
    for (int j = 0; j < matched; j++) {
      pin(hits[j]);
      r.blocks.add(hits[j]);
    }
    for (int j = 0; j < needed; j++) {
      r.blocks.add(allocate());
    }
    r.hashedBlocks = matched;
    r.chainHash = h;
    r.computed = matched * blockTokens;
    if (!r.admittedOnce) {
      r.admittedOnce = true;
      r.cachedTokens = r.computed;
    }
    return true;
  }

  /**
   * Gives a decoding request the block its next token needs, if it does not hold it yet.
   *
   * @return false when no block is free or evictable
   */
  boolean ensureNextToken(EngineRequest r) {
    int needed = r.computed / blockTokens + 1;
    if (r.blocks.size() >= needed) {
      return true;
    }
    if (free == 0 && lruSize == 0) {
      return false;
    }
    r.blocks.add(allocate());
    return true;
  }

  /** Marks {@code n} more positions computed and registers the blocks that became full. */
  void advance(EngineRequest r, int n) {
    r.computed += n;
    while ((r.hashedBlocks + 1) * blockTokens <= r.computed) {
      int j = r.hashedBlocks;
      long h = TokenHash.block(r.chainHash, r.sequence, j * blockTokens, blockTokens);
      Block b = r.blocks.get(j);
      if (!b.registered) {
        Block existing = registered.get(h);
        if (existing == null) {
          b.hash = h;
          b.registered = true;
          b.refCount = 1;
          registered.put(h, b);
        } else {
          // Another request computed the same block meanwhile: share it, free this copy.
          pin(existing);
          r.blocks.set(j, existing);
          free++;
        }
      }
      r.chainHash = h;
      r.hashedBlocks++;
    }
  }

  /** Releases all blocks of a request (finished or preempted); cached ones stay cached. */
  void release(EngineRequest r) {
    List<Block> blocks = r.blocks;
    for (int j = blocks.size() - 1; j >= 0; j--) {
      Block b = blocks.get(j);
      if (b.registered) {
        if (--b.refCount == 0) {
          lruAppend(b);
        }
      } else {
        free++;
      }
    }
    blocks.clear();
    r.computed = 0;
    r.hashedBlocks = 0;
    r.chainHash = TokenHash.SEED;
  }

  private void pin(Block b) {
    if (b.refCount++ == 0) {
      lruRemove(b);
    }
  }

  private Block allocate() {
    if (free == 0) {
      evictOne();
    }
    free--;
    return new Block();
  }

  private void evictOne() {
    Block victim = lru.lruNext;
    if (victim == lru) {
      throw new IllegalStateException("no KV block is free or evictable");
    }
    lruRemove(victim);
    registered.remove(victim.hash);
    victim.registered = false;
    evictions++;
    free++;
  }

  private void lruAppend(Block b) {
    Block tail = lru.lruPrev;
    b.lruPrev = tail;
    b.lruNext = lru;
    tail.lruNext = b;
    lru.lruPrev = b;
    lruSize++;
  }

  private void lruRemove(Block b) {
    b.lruPrev.lruNext = b.lruNext;
    b.lruNext.lruPrev = b.lruPrev;
    b.lruPrev = b;
    b.lruNext = b;
    lruSize--;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
