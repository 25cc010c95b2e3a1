package io.sluice.sim.replay;

/**
 * Prompt text of a given token length for engines that count Unicode code points / 4 (the
 * emulator without a tokenizer, and Sluice's fallback estimate): four ASCII characters per token.
 * Each prompt starts with its request id, so no two prompts share a cached prefix block.
 */
public final class SyntheticPrompt {
  private static final int CHARS_PER_TOKEN = 4;
  private static final String FILLER;

  static {
    String words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";
    StringBuilder b = new StringBuilder();
    while (b.length() < 20_000 * CHARS_PER_TOKEN) {
      b.append(words);
    }
    FILLER = b.toString();
  }

  private SyntheticPrompt() {
  }

  /** About {@code tokens} tokens (at least one), unique to {@code id}. */
  public static String of(int id, int tokens) {
    int chars = Math.max(1, tokens) * CHARS_PER_TOKEN;
    String head = "r" + id + " ";
    if (head.length() >= chars) {
      return head.substring(0, chars);
    }
    int fill = chars - head.length();
    StringBuilder b = new StringBuilder(chars).append(head);
    while (fill > 0) {
      int take = Math.min(fill, FILLER.length());
      b.append(FILLER, 0, take);
      fill -= take;
    }
    return b.toString();
  }
}
