package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.radix.InvalidCacheInputException.Problem;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rejected insert names its problem and leaves the cache exactly as it was. */
class InvalidInputTest {

  private static final FakeTicker TICKER = new FakeTicker();
  private RadixTokenCache cache;

  @BeforeEach
  void fillCache() {
    cache = RadixTokenCache.builder().maxCachedTokens(8).evictionLowWatermark(1.0).ticker(TICKER)
        .build();
    cache.insert(
        CacheEntry.builder("abcdef", new int[] {1, 2, 3}).tokenEnds(new int[] {2, 4, 6})
            .logprobs(new float[] {-1, -2, -3}).lossMask(new int[] {0, 1, 1}).weightVersion(2)
            .build());
    cache.insert("xyz", new int[] {7, 8}, null, null, 1);
  }

  static Stream<Arguments> badInserts() {
    int[] ids = {10, 11, 12};
    return Stream.of(
        bad("null text", Problem.NULL_TEXT, "text must not be null",
            c -> c.insert(null, ids)),
        bad("empty text", Problem.EMPTY_TEXT, "text must not be empty",
            c -> c.insert("", ids)),
        bad("null tokens", Problem.NULL_TOKENS, "tokenIds must not be null",
            c -> c.insert("abcdefgh", null)),
        bad("empty tokens", Problem.EMPTY_TOKENS, "tokenIds must not be empty",
            c -> c.insert("abcdefgh", new int[0])),
        bad("negative token id", Problem.NEGATIVE_TOKEN_ID,
            "tokenIds[1] must not be negative, but was -5",
            c -> c.insert("abcdefgh", new int[] {10, -5, 12})),
        bad("short logprobs", Problem.LENGTH_MISMATCH, "logprobs has 2 entries but tokenIds has 3",
            c -> c.insert("abcdefgh", ids, new float[2], null, 3)),
        bad("long mask", Problem.LENGTH_MISMATCH, "lossMask has 4 entries but tokenIds has 3",
            c -> c.insert("abcdefgh", ids, null, new int[4], 3)),
        bad("mask value 2", Problem.BAD_LOSS_MASK, "lossMask[1] must be 0 or 1, but was 2",
            c -> c.insert("abcdefgh", ids, null, new int[] {1, 2, 0}, 3)),
        bad("mask value -1", Problem.BAD_LOSS_MASK, "lossMask[2] must be 0 or 1, but was -1",
            c -> c.insert("abcdefgh", ids, null, new int[] {1, 0, -1}, 3)),
        bad("version -2", Problem.BAD_WEIGHT_VERSION, "weightVersion must be >= -1",
            c -> c.insert("abcdefgh", ids, null, null, -2)),
        bad("ends length", Problem.LENGTH_MISMATCH, "tokenEnds has 2 entries but tokenIds has 3",
            c -> c.insert(CacheEntry.builder("abcdefgh", ids).tokenEnds(new int[] {1, 8}).build())),
        bad("ends decreasing", Problem.BAD_TOKEN_ENDS, "tokenEnds[1] = 1 must not be below",
            c -> c.insert(
                CacheEntry.builder("abcdefgh", ids).tokenEnds(new int[] {3, 1, 8}).build())),
        bad("ends short of text", Problem.BAD_TOKEN_ENDS, "must equal the text length 8",
            c -> c.insert(
                CacheEntry.builder("abcdefgh", ids).tokenEnds(new int[] {1, 2, 7}).build())),
        bad("ends past text", Problem.BAD_TOKEN_ENDS, "past the end of the text",
            c -> c.insert(
                CacheEntry.builder("abcdefgh", ids).tokenEnds(new int[] {1, 9, 9}).build())),
        bad("end inside surrogate pair", Problem.BAD_TOKEN_ENDS, "inside a surrogate pair",
            c -> c.insert(CacheEntry.builder("a\uD83D\uDE00", ids).tokenEnds(new int[] {1, 2, 3})
                .build())),
        bad("retrieve empty", Problem.EMPTY_TEXT, "text must not be empty",
            c -> c.retrieve("", new ToyTokenizer())));
  }

  /** A tokenizer that breaks its contract with a negative id (one not made by Tokenizer.of). */
  private static final class NegativeIdTokenizer implements io.flexroute.spi.Tokenizer {
    @Override
    public int[] encode(String text) {
      return new int[] {3, -1};
    }

    @Override
    public String decode(int[] tokenIds) {
      return "unseen text";
    }
  }

  private static Arguments bad(
      String name, Problem problem, String message, java.util.function.Consumer<RadixTokenCache> call) {
    return Arguments.of(name, problem, message, call);
  }

  @Test
  void retrieve_ofATokenizerThatAnswersANegativeId_isRejectedAndCachesNothing() {
    long cachedBefore = cache.stats().cachedTokens();
    long nodesBefore = cache.stats().nodeCount();

    assertThatThrownBy(() -> cache.retrieve("unseen text", new NegativeIdTokenizer()))
        .isInstanceOfSatisfying(
            InvalidCacheInputException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.NEGATIVE_TOKEN_ID))
        .hasMessageContaining("tokenIds[1] must not be negative, but was -1");
    // The lookup before it counted a miss; nothing was inserted.
    assertThat(cache.stats().cachedTokens()).isEqualTo(cachedBefore);
    assertThat(cache.stats().nodeCount()).isEqualTo(nodesBefore);
    assertThat(cache.lookup("unseen text").tokenCount()).isZero();
  }

  @Test
  void retrieve_ofACachedPrefixAndANegativeIdForTheRest_isRejected() {
    // "xyz" is cached; the tokenizer only sees the rest, " more".
    assertThatThrownBy(() -> cache.retrieve("xyz more", new NegativeIdTokenizer()))
        .isInstanceOfSatisfying(
            InvalidCacheInputException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.NEGATIVE_TOKEN_ID))
        .hasMessageContaining("[1] must not be negative, but was -1");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInserts")
  void insert_badInput_isRejectedWithItsProblemAndChangesNothing(
      String name,
      Problem problem,
      String message,
      java.util.function.Consumer<RadixTokenCache> call) {
    CacheStats before = cache.stats();
    PrefixMatch abc = cache.lookup("abcdef");
    PrefixMatch xyz = cache.lookup("xyz");
    CacheStats afterLookups = cache.stats();

    ThrowingCallable attempt = () -> call.accept(cache);

    assertThatThrownBy(attempt)
        .isInstanceOf(InvalidCacheInputException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((InvalidCacheInputException) e).problem()).isEqualTo(problem));
    assertThat(cache.stats()).isEqualTo(afterLookups);
    assertThat(before.cachedTokens()).isEqualTo(afterLookups.cachedTokens());
    assertThat(cache.lookup("abcdef")).isEqualTo(abc);
    assertThat(cache.lookup("xyz")).isEqualTo(xyz);
    ((DefaultRadixTokenCache) cache).tree().verifyInvariants();
  }
}
