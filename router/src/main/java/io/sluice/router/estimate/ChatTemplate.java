package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns a chat-completions body into the prompt the engine builds from it. An exact template
 * renders the same text as the model's chat template; an approximate one adds a fixed framing
 * cost per message. Images are not a template's business: {@link PromptTexts} adds their flat cost.
 * Implementations are stateless and thread-safe.
 */
public interface ChatTemplate {

  /** The prompt for {@code body}, whose {@code messages} RequestParser has already checked. */
  Prompt render(ObjectNode body);

  /** Short name for logs and docs: {@code jinja} (the model's own template) or {@code overhead}. */
  String name();
}
