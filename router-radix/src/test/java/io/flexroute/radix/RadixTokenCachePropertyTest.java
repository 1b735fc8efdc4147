package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Random operation sequences checked against simple reference models. */
class RadixTokenCachePropertyTest {

  private static final int KEEP = 2;

  sealed interface Op permits Insert, Lookup, Gc, Evict {}

  record Insert(String text, int version, int seed, boolean boundaries) implements Op {}

  record Lookup(String text) implements Op {}

  record Gc(int current) implements Op {}

  record Evict(int keep) implements Op {}

  // ----------------------------------------------------------------------------------------------
  // Property 1: one token per char, compared with a brute-force map of every cached prefix.

  /**
   * The reference: every cached prefix of every inserted text (one token per char) with the payload
   * of its last char, as the first insert that reached it gave it, and its traverse version.
   */
  static final class Model {
    record Tok(int id, float logprob, int mask, int version) {}

    final Map<String, Tok> tokens = new HashMap<>();
    final Map<String, Integer> traverse = new HashMap<>();

    void insert(String text, int version, int seed) {
      for (int j = 0; j < text.length(); j++) {
        String prefix = text.substring(0, j + 1);
        if (!tokens.containsKey(prefix)) {
          tokens.put(prefix, new Tok(text.charAt(j), logprob(seed, j), mask(seed, j), version));
          traverse.put(prefix, version);
        } else if (version > traverse.get(prefix)) {
          traverse.put(prefix, version);
        }
      }
    }

    List<Tok> lookup(String query) {
      List<Tok> out = new ArrayList<>();
      for (int j = 0; j < query.length(); j++) {
        Tok t = tokens.get(query.substring(0, j + 1));
        if (t == null) {
          break;
        }
        out.add(t);
      }
      return out;
    }

    void gc(int current) {
      long threshold = (long) current - KEEP;
      List<String> stale = new ArrayList<>();
      traverse.forEach((p, v) -> {
        if (v >= 0 && v < threshold) {
          stale.add(p);
        }
      });
      tokens.keySet().removeIf(k -> stale.stream().anyMatch(k::startsWith));
      traverse.keySet().retainAll(tokens.keySet());
    }
  }

  static float logprob(int seed, int j) {
    return -((seed * 31 + j) & 0xFF) / 16f;
  }

  static int mask(int seed, int j) {
    return (seed >>> (j % 31)) & 1;
  }

  @Property(tries = 300)
  void charTokens_matchTheReferenceModel(@ForAll("charOps") List<Op> ops) {
    RadixTokenCache cache =
        RadixTokenCache.builder().maxCachedTokens(1_000_000).keepVersions(KEEP).build();
    Model model = new Model();
    for (Op op : ops) {
      if (op instanceof Insert in) {
        String t = in.text();
        int n = t.length();
        int[] ids = new int[n];
        int[] ends = new int[n];
        float[] lp = new float[n];
        int[] mask = new int[n];
        for (int j = 0; j < n; j++) {
          ids[j] = t.charAt(j);
          ends[j] = j + 1;
          lp[j] = logprob(in.seed(), j);
          mask[j] = mask(in.seed(), j);
        }
        cache.insert(CacheEntry.builder(t, ids).tokenEnds(ends).logprobs(lp).lossMask(mask)
            .weightVersion(in.version()).build());
        model.insert(t, in.version(), in.seed());
      } else if (op instanceof Lookup lk) {
        PrefixMatch m = cache.lookup(lk.text());
        List<Model.Tok> expected = model.lookup(lk.text());
        assertThat(m.matchedLength()).as("matched length of %s", lk.text())
            .isEqualTo(expected.size());
        assertThat(m.remainingText()).isEqualTo(lk.text().substring(expected.size()));
        for (int i = 0; i < expected.size(); i++) {
          Model.Tok e = expected.get(i);
          assertThat(m.tokenId(i)).isEqualTo(e.id());
          assertThat(m.logprob(i)).isEqualTo(e.logprob());
          assertThat(m.lossMask(i)).isEqualTo(e.mask());
          assertThat(m.weightVersion(i)).isEqualTo(e.version());
        }
      } else if (op instanceof Gc gc) {
        cache.gcByWeightVersion(gc.current());
        model.gc(gc.current());
      }
      ((DefaultRadixTokenCache) cache).tree().verifyInvariants();
      assertThat(cache.stats().cachedTokens()).isEqualTo(model.tokens.size());
    }
  }

  @Provide
  Arbitrary<List<Op>> charOps() {
    Arbitrary<String> text = Arbitraries.strings().withChars('a', 'b', 'c').ofMinLength(1)
        .ofMaxLength(10);
    Arbitrary<Op> insert =
        Combinators.combine(text, Arbitraries.integers().between(-1, 8), Arbitraries.integers())
            .as((t, v, s) -> new Insert(t, v, s, true));
    Arbitrary<Op> lookup =
        Arbitraries.strings().withChars('a', 'b', 'c').ofMaxLength(12).map(Lookup::new);
    Arbitrary<Op> gc = Arbitraries.integers().between(0, 12).map(Gc::new);
    return Arbitraries.frequencyOf(Tuple.of(5, insert), Tuple.of(4, lookup), Tuple.of(1, gc))
        .list().ofMaxSize(40);
  }

  // ----------------------------------------------------------------------------------------------
  // Property 2: multi-char tokens that differ between texts sharing a prefix, with and without
  // boundaries, GC and eviction: results always spell the matched text with whole tokens.

  private static final ToyTokenizer TOKENIZER = new ToyTokenizer();

  @Property(tries = 300)
  void wordTokens_alwaysSpellTheMatchedTextAndFindWhatWasJustInserted(
      @ForAll("wordOps") List<Op> ops) {
    RadixTokenCache cache =
        RadixTokenCache.builder().maxCachedTokens(1_000_000).keepVersions(KEEP).build();
    for (Op op : ops) {
      if (op instanceof Insert in) {
        String t = in.text();
        int[] ids = TOKENIZER.encode(t);
        CacheEntry.Builder b = CacheEntry.builder(t, ids).weightVersion(in.version());
        if (in.boundaries()) {
          b.tokenEnds(ToyTokenizer.endsOf(t));
        }
        cache.insert(b.build());
        PrefixMatch m = cache.lookup(t);
        assertThat(m.matchedLength()).as("just inserted %s", t).isEqualTo(t.length());
        assertThat(TOKENIZER.decode(m.tokenIds())).isEqualTo(t);
      } else if (op instanceof Lookup lk) {
        PrefixMatch m = cache.lookup(lk.text());
        assertThat(lk.text()).startsWith(m.matchedText());
        assertThat(TOKENIZER.decode(m.tokenIds())).isEqualTo(m.matchedText());
      } else if (op instanceof Gc gc) {
        cache.gcByWeightVersion(gc.current());
      } else if (op instanceof Evict ev) {
        cache.evictTo(ev.keep());
        assertThat(cache.stats().cachedTokens()).isLessThanOrEqualTo(ev.keep());
      }
      ((DefaultRadixTokenCache) cache).tree().verifyInvariants();
    }
  }

  @Provide
  Arbitrary<List<Op>> wordOps() {
    Arbitrary<String> word = Arbitraries.strings().withChars('a', 'b', 'x').ofMinLength(1)
        .ofMaxLength(5);
    Arbitrary<String> text = word.list().ofMinSize(1).ofMaxSize(4).map(ws -> String.join(" ", ws));
    Arbitrary<Op> insert =
        Combinators.combine(text, Arbitraries.integers().between(-1, 8), Arbitraries.of(true, false))
            .as((t, v, b) -> new Insert(t, v, 0, b));
    Arbitrary<Op> lookup = text.map(Lookup::new);
    Arbitrary<Op> gc = Arbitraries.integers().between(0, 12).map(Gc::new);
    Arbitrary<Op> evict = Arbitraries.integers().between(0, 30).map(Evict::new);
    return Arbitraries.frequencyOf(
            Tuple.of(6, insert), Tuple.of(4, lookup), Tuple.of(1, gc), Tuple.of(1, evict))
        .list().ofMaxSize(40);
  }
}
