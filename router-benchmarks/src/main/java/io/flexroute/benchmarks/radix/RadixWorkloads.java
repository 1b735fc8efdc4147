package io.flexroute.benchmarks.radix;

import io.flexroute.radix.CacheEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic chat-shaped workloads for the radix cache benchmarks, with a toy tokenizer of about
 * 3.6 characters per token that reports token boundaries (as FlexRoute's rollout path has them).
 *
 * <p>Stateless apart from the immutable data it returns; thread-safe.
 */
final class RadixWorkloads {

  static final int SYSTEM_PROMPTS = 50;
  static final String IM_START = "<|im_start|>";
  static final String IM_END = "<|im_end|>";

  private static final String[] VOCABULARY = vocabulary(new SplittableRandom(1), 4_000);

  private RadixWorkloads() {}

  /** Texts to insert (as entries) and the texts they contain, in insertion order. */
  record Workload(List<CacheEntry> inserts, List<String> texts, long chars) {
    double averageChars() {
      return (double) chars / inserts.size();
    }
  }

  private static String[] vocabulary(SplittableRandom r, int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      int len = 2 + r.nextInt(8);
      StringBuilder sb = new StringBuilder(len);
      for (int j = 0; j < len; j++) {
        sb.append((char) ('a' + r.nextInt(26)));
      }
      out[i] = sb.toString();
    }
    return out;
  }

  /** Random words until about {@code chars} characters. */
  static String words(SplittableRandom r, int chars) {
    StringBuilder sb = new StringBuilder(chars + 16);
    while (sb.length() < chars) {
      if (sb.length() > 0) {
        sb.append(r.nextInt(12) == 0 ? ". " : " ");
      }
      sb.append(VOCABULARY[r.nextInt(VOCABULARY.length)]);
    }
    return sb.toString();
  }

  static String systemPrompt(int i) {
    SplittableRandom r = new SplittableRandom(1_000 + i);
    return IM_START + "system\nYou are assistant " + i + ". " + words(r, 520) + IM_END + "\n";
  }

  static String turn(String role, SplittableRandom r, int chars) {
    return IM_START + role + "\n" + words(r, chars) + IM_END + "\n";
  }

  /**
   * Multi-turn: 625 prompts (one of 50 system prompts plus a user turn) x 4 samples x 4 turns;
   * the prompt and every turn are inserted (10,625 inserts, about 1,400 chars on average).
   */
  static Workload multiTurn() {
    return multiTurn(625, 42);
  }

  /** The multi-turn shape with another number of prompts. */
  static Workload multiTurn(int prompts, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<CacheEntry> inserts = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    long chars = 0;
    for (int p = 0; p < prompts; p++) {
      String prompt = systemPrompt(p % SYSTEM_PROMPTS) + turn("user", r, 90);
      inserts.add(entry(prompt, prompt.length(), 0));
      texts.add(prompt);
      chars += prompt.length();
      for (int s = 0; s < 4; s++) {
        String conversation = prompt;
        for (int t = 0; t < 4; t++) {
          int responseStart = conversation.length();
          conversation += turn("assistant", r, 230);
          inserts.add(entry(conversation, responseStart, t));
          texts.add(conversation);
          chars += conversation.length();
          conversation += turn("user", r, 60);
        }
      }
    }
    return new Workload(inserts, texts, chars);
  }

  /** Flat: 10,000 distinct conversations of about 2,200 chars sharing the 50 system prompts. */
  static Workload flat() {
    SplittableRandom r = new SplittableRandom(43);
    List<CacheEntry> inserts = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    long chars = 0;
    for (int i = 0; i < 10_000; i++) {
      String prompt = systemPrompt(i % SYSTEM_PROMPTS) + turn("user", r, 300);
      String text = prompt + turn("assistant", r, 1_280);
      inserts.add(entry(text, prompt.length(), 0));
      texts.add(text);
      chars += text.length();
    }
    return new Workload(inserts, texts, chars);
  }

  /**
   * The lookup mix: 80% a cached text plus a new suffix, 10% a cached text truncated at a random
   * point, 10% unseen text.
   */
  static String[] lookupMix(List<String> cached, int n, long seed) {
    return lookupMix(cached, n, seed, new int[n]);
  }

  /**
   * As {@link #lookupMix(List, int, long)}, also giving for each query the index of the cached
   * text it starts with, or -1 for unseen text.
   */
  static String[] lookupMix(List<String> cached, int n, long seed, int[] bases) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      int index = r.nextInt(cached.size());
      String base = cached.get(index);
      int kind = r.nextInt(10);
      bases[i] = kind < 9 ? index : -1;
      if (kind < 8) {
        out[i] = base + turn("user", r, 60);
      } else if (kind == 8) {
        out[i] = base.substring(0, 1 + r.nextInt(base.length() - 1));
      } else {
        out[i] = words(r, base.length());
      }
    }
    return out;
  }

  /** A conversation of about {@code chars} characters, as a list of growing turns. */
  static List<String> longConversation(int chars, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> turns = new ArrayList<>();
    String conversation = systemPrompt(0) + turn("user", r, 200);
    while (true) {
      conversation += turn("assistant", r, 600);
      turns.add(conversation);
      if (conversation.length() >= chars) {
        return turns;
      }
      conversation += turn("user", r, 150);
    }
  }

  /**
   * Tokenises with the toy tokenizer and builds an entry with boundaries; tokens from {@code
   * responseStart} on get mask 1 and a logprob.
   */
  static CacheEntry entry(String text, int responseStart, int version) {
    int[] ends = new int[text.length()];
    int[] ids = new int[text.length()];
    int n = 0;
    int i = 0;
    int len = text.length();
    while (i < len) {
      int start = i;
      if (text.startsWith(IM_START, i)) {
        i += IM_START.length();
      } else if (text.startsWith(IM_END, i)) {
        i += IM_END.length();
      } else {
        if (text.charAt(i) == ' ' && i + 1 < len && Character.isLetter(text.charAt(i + 1))) {
          i++;
        }
        if (Character.isLetter(text.charAt(i))) {
          int end = i;
          while (end < len && end - i < 4 && Character.isLetter(text.charAt(end))) {
            end++;
          }
          i = end;
        } else {
          i++;
        }
      }
      int h = 0;
      for (int k = start; k < i; k++) {
        h = 31 * h + text.charAt(k);
      }
      ids[n] = (h & 0x7FFFFFFF) % 151_000;
      ends[n] = i;
      n++;
    }
    int[] tokenIds = java.util.Arrays.copyOf(ids, n);
    int[] tokenEnds = java.util.Arrays.copyOf(ends, n);
    float[] logprobs = new float[n];
    int[] mask = new int[n];
    for (int k = 0; k < n; k++) {
      int tokenStart = k == 0 ? 0 : tokenEnds[k - 1];
      if (tokenStart >= responseStart) {
        mask[k] = 1;
        logprobs[k] = -((tokenIds[k] % 64) / 16f);
      }
    }
    return CacheEntry.builder(text, tokenIds)
        .tokenEnds(tokenEnds)
        .logprobs(logprobs)
        .lossMask(mask)
        .weightVersion(version)
        .build();
  }
}
