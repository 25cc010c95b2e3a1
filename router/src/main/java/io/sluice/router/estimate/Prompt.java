package io.sluice.router.estimate;

import java.util.List;

/**
 * A request's prompt as a tokenizer sees it: texts to tokenize, plus tokens known without
 * tokenizing (token id arrays, images at their flat cost, fixed per-message framing).
 *
 * @param texts texts to tokenize, in order
 * @param fixedTokens tokens counted without tokenizing
 */
public record Prompt(List<String> texts, long fixedTokens) {
  public Prompt {
    texts = List.copyOf(texts);
  }
}
