package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An approximate chat template for models whose template Sluice does not render: each message's
 * text (role, content, tool call names and arguments), the tool definitions as JSON, plus a fixed
 * framing cost per message and for the reply primer. The role is tokenized as text, so the
 * framing is what surrounds it: ChatML ({@code <|im_start|>}, newline, {@code <|im_end|>},
 * newline: 4 a message; {@code <|im_start|>assistant\n}: 3) or OpenAI's published 3 and 3.
 *
 * @param perMessage framing tokens added for each message
 * @param perReply tokens of the generation prompt that primes the reply
 */
public record OverheadTemplate(int perMessage, int perReply) implements ChatTemplate {
  /** ChatML framing around the role: {@code <|im_start|>}, newline, {@code <|im_end|>}, newline. */
  public static final OverheadTemplate CHATML = new OverheadTemplate(4, 3);
  /** OpenAI's published count for its chat models. */
  public static final OverheadTemplate OPENAI = new OverheadTemplate(3, 3);

  public OverheadTemplate {
    if (perMessage < 0 || perReply < 0) {
      throw new IllegalArgumentException("overheads must not be negative");
    }
  }

  @Override
  public String name() {
    return "overhead";
  }

  @Override
  public Prompt render(ObjectNode body) {
    JsonNode messages = body.get("messages");
    List<String> texts = new ArrayList<>(messages.size() + 1);
    JsonNode tools = body.get("tools");
    if (Messages.truthy(tools)) {
      texts.add(JsonText.of(tools));
    }
    for (JsonNode message : messages) {
      texts.add(Messages.role(message));
      texts.add(Messages.text(message));
      JsonNode calls = message.get("tool_calls");
      if (Messages.truthy(calls)) {
        for (JsonNode call : calls) {
          JsonNode function = call.has("function") ? call.get("function") : call;
          JsonNode name = function.get("name");
          texts.add(name == null ? "" : name.asText());
          JsonNode arguments = Messages.arguments(function);
          texts.add(arguments.isTextual() ? arguments.textValue() : JsonText.of(arguments));
        }
      }
    }
    return new Prompt(texts, (long) perMessage * messages.size() + perReply);
  }
}
