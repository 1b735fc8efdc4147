package io.flexroute.testkit;

import io.flexroute.spi.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deterministic toy tokenizer for tests: splits text into word-like pieces and hashes each piece
 * to a token id, so the same text gives the same ids in every process without a vocabulary file.
 *
 * <h2>Pieces</h2>
 *
 * A piece is either a maximal run of letters and digits together with the single space that
 * precedes it ({@code " world"}), or any other single character ({@code "!"}, {@code "\n"}, a space
 * not followed by a letter or digit). {@code "Hello, world!"} splits into {@code "Hello"},
 * {@code ","}, {@code " world"}, {@code "!"}.
 *
 * <h2>Ids</h2>
 *
 * A piece's id is the 64-bit FNV-1a hash of its UTF-8 bytes reduced into
 * [{@value #FIRST_PIECE_ID}, {@value #FIRST_PIECE_ID} + 2<sup>30</sup>). Ids below
 * {@value #FIRST_PIECE_ID} are reserved for special tokens; only {@link #EOS_TOKEN_ID} is used.
 * If two pieces an instance has seen hash to the same id, the piece seen later takes the next free
 * id, so ids never clash within one instance. Such collisions are rare (about one chance in two
 * thousand for a thousand distinct pieces) but make the later piece's id depend on the order in
 * which pieces were first seen. Share one instance when several components must agree on ids
 * exactly.
 *
 * <h2>Concatenation</h2>
 *
 * {@code encode(a + b)} equals {@code encode(a)} followed by {@code encode(b)} whenever {@code a}
 * ends at a piece boundary, that is unless {@code b} starts with a letter or digit and {@code a}
 * ends with a letter, a digit or a space. Prompts that share a prefix ending at such a boundary
 * therefore share a token prefix, which is what prefix-cache routing tests rely on.
 *
 * <h2>Decoding</h2>
 *
 * {@link #decode(int[])} only knows the pieces this instance has encoded (including the pieces
 * the fake worker generates, which it encodes first). An unknown id decodes to
 * {@code "<unk_ID>"}, and the end-of-sequence id decodes to nothing, as a server skipping special
 * tokens would. The id table grows with every distinct piece and is never trimmed.
 *
 * <p>Instances are thread-safe.
 */
public final class ToyTokenizer implements Tokenizer {

  /** The end-of-sequence token id; never produced by {@link #encode(String)}. */
  public static final int EOS_TOKEN_ID = 2;

  /** The smallest id a text piece can have; smaller ids are reserved for special tokens. */
  public static final int FIRST_PIECE_ID = 1000;

  private static final long ID_RANGE = 1L << 30;
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final Map<String, Integer> idsByPiece = new ConcurrentHashMap<>();
  private final Map<Integer, String> piecesById = new ConcurrentHashMap<>();

  /** Creates a tokenizer with an empty id table. */
  public ToyTokenizer() {}

  /**
   * Splits text into the pieces this tokenizer assigns ids to, without touching any id table.
   *
   * @param text the text to split, possibly empty
   * @return the pieces in order; their concatenation is {@code text}
   */
  public static List<String> split(String text) {
    List<String> pieces = new ArrayList<>();
    int length = text.length();
    int i = 0;
    while (i < length) {
      int start = i;
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      boolean spaceBeforeWord =
          cp == ' ' && i < length && Character.isLetterOrDigit(text.codePointAt(i));
      if (spaceBeforeWord || Character.isLetterOrDigit(cp)) {
        while (i < length && Character.isLetterOrDigit(text.codePointAt(i))) {
          i += Character.charCount(text.codePointAt(i));
        }
      }
      pieces.add(text.substring(start, i));
    }
    return pieces;
  }

  /**
   * Encodes text into piece ids, remembering each piece so that {@link #decode(int[])} knows it.
   *
   * @param text the text to encode, possibly empty
   * @return a new array with one id per piece; empty for empty text
   */
  @Override
  public int[] encode(String text) {
    List<String> pieces = split(text);
    int[] ids = new int[pieces.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = idOf(pieces.get(i));
    }
    return ids;
  }

  /**
   * Decodes ids into text by concatenating the pieces they stand for.
   *
   * @param tokenIds the ids to decode
   * @return the text; {@link #EOS_TOKEN_ID} contributes nothing and an id this instance has never
   *     produced contributes {@code "<unk_ID>"}
   */
  @Override
  public String decode(int[] tokenIds) {
    StringBuilder text = new StringBuilder();
    for (int id : tokenIds) {
      if (id == EOS_TOKEN_ID) {
        continue;
      }
      String piece = piecesById.get(id);
      if (piece == null) {
        text.append("<unk_").append(id).append('>');
      } else {
        text.append(piece);
      }
    }
    return text.toString();
  }

  /**
   * Returns {@code "toy"}.
   *
   * @return the tokenizer's name for logs and metric tags
   */
  @Override
  public String name() {
    return "toy";
  }

  /**
   * Returns the id of one piece, assigning it on first sight.
   *
   * @param piece a single piece as produced by {@link #split(String)}
   * @return the piece's id, at least {@link #FIRST_PIECE_ID}
   * @throws IllegalArgumentException if {@code piece} is empty or is not exactly one piece
   */
  public int idOf(String piece) {
    Integer known = idsByPiece.get(piece);
    if (known != null) {
      return known;
    }
    List<String> parts = split(piece);
    if (parts.size() != 1) {
      throw new IllegalArgumentException("not a single piece: \"" + piece + "\"");
    }
    return idsByPiece.computeIfAbsent(piece, this::claimId);
  }

  private int claimId(String piece) {
    long offset = Long.remainderUnsigned(fnv1a(piece), ID_RANGE);
    while (true) {
      int candidate = (int) (FIRST_PIECE_ID + offset);
      String holder = piecesById.putIfAbsent(candidate, piece);
      if (holder == null || holder.equals(piece)) {
        return candidate;
      }
      offset = (offset + 1) % ID_RANGE;
    }
  }

  private static long fnv1a(String piece) {
    long hash = FNV_OFFSET;
    for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= FNV_PRIME;
    }
    return hash;
  }
}
