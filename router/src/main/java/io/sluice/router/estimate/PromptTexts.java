package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.router.api.InferenceRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * What of a request becomes prompt tokens: a chat through its template plus images at a flat
 * cost; a completion's {@code prompt} or an embedding's {@code input} (strings are tokenized,
 * token id arrays counted as they are); a Responses request as the chat {@link ResponsesChat} makes of it.
 */
final class PromptTexts {
  private PromptTexts() {}

  static Prompt of(InferenceRequest request, ChatTemplate template, int imageTokens) {
    ObjectNode body = request.body();
    return switch (request.kind()) {
      case CHAT -> chat(body, template, imageTokens);
      case COMPLETIONS -> inputs(body.get("prompt"));
      case EMBEDDINGS -> inputs(body.get("input"));
      case RESPONSES -> chat(ResponsesChat.of(body), template, imageTokens);
    };
  }

  private static Prompt chat(ObjectNode body, ChatTemplate template, int imageTokens) {
    Prompt rendered = template.render(body);
    long images = 0;
    for (JsonNode message : body.get("messages")) {
      images += Messages.images(message);
    }
    return images == 0 ? rendered
        : new Prompt(rendered.texts(), rendered.fixedTokens() + images * imageTokens);
  }

  private static Prompt inputs(JsonNode input) {
    if (input == null || input.isNull()) {
      return new Prompt(List.of(), 0);
    }
    if (input.isTextual()) {
      return new Prompt(List.of(input.textValue()), 0);
    }
    List<String> texts = new ArrayList<>();
    long ids = 0;
    for (JsonNode item : input) {
      if (item.isTextual()) {
        texts.add(item.textValue());
      } else if (item.isArray()) {
        ids += item.size();
      } else {
        ids++;
      }
    }
    return new Prompt(texts, ids);
  }
}
