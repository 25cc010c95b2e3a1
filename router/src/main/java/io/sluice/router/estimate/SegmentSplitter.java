package io.sluice.router.estimate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a prompt at the tokenizer's added tokens ({@code <|im_start|>}, {@code <tool_call>}, ...).
 * A Hugging Face tokenizer extracts added tokens before it normalizes and pre-tokenizes, so no
 * token spans such a boundary: the prompt's count is exactly the sum of its pieces' counts plus
 * one per added token. That makes each piece (a message, in practice) cacheable on its own.
 * Matching is leftmost-longest, as the tokenizer's.
 */
final class SegmentSplitter {
  /** Splits nothing: for tokenizers without added tokens, or whose added tokens strip spaces. */
  static final SegmentSplitter NONE = new SegmentSplitter(List.of());

  private final String[][] byFirstChar = new String[128][];
  private final String[] nonAscii;

  SegmentSplitter(List<String> addedTokens) {
    List<List<String>> ascii = new ArrayList<>();
    for (int i = 0; i < 128; i++) {
      ascii.add(new ArrayList<>());
    }
    List<String> other = new ArrayList<>();
    for (String token : addedTokens) {
      if (token.isEmpty()) {
        continue;
      }
      char first = token.charAt(0);
      (first < 128 ? ascii.get(first) : other).add(token);
    }
    Comparator<String> longestFirst = Comparator.comparingInt(String::length).reversed();
    for (int c = 0; c < 128; c++) {
      List<String> tokens = ascii.get(c);
      tokens.sort(longestFirst);
      byFirstChar[c] = tokens.isEmpty() ? null : tokens.toArray(String[]::new);
    }
    other.sort(longestFirst);
    nonAscii = other.toArray(String[]::new);
  }

  /** Receives the pieces of a prompt in order. */
  interface Sink {
    void text(String text, int from, int to);

    void addedToken();
  }

  void split(String text, Sink sink) {
    int start = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      String[] candidates = c < 128 ? byFirstChar[c] : nonAscii;
      String match = null;
      if (candidates != null) {
        for (String token : candidates) {
          if (text.startsWith(token, i)) {
            match = token;
            break;
          }
        }
      }
      if (match == null) {
        i++;
        continue;
      }
      if (i > start) {
        sink.text(text, start, i);
      }
      sink.addedToken();
      i += match.length();
      start = i;
    }
    if (n > start) {
      sink.text(text, start, n);
    }
  }
}
