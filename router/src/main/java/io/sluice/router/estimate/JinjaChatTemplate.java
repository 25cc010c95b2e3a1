package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.router.api.ApiException;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.estimate.jinja.Limits;
import io.sluice.router.estimate.jinja.Template;
import io.sluice.router.estimate.jinja.TemplateException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A model's own chat template, run by Sluice's Jinja renderer on the inputs vLLM gives it, so that
 * the prompt counted is the prompt the engine builds:
 *
 * <ul>
 *   <li>{@code messages} rebuilt as vLLM's chat_utils rebuilds them: {@code role}, {@code content}
 *       (a string, text parts joined with a newline, when the template treats content as text; a
 *       list of typed parts when it loops over the content, as Gemma 3's does), then, when sent,
 *       {@code tool_calls} (arguments parsed from their JSON string; empty, invalid or not an object
 *       as {@code {}}),
 *       {@code tool_call_id}, {@code name} and the reasoning text;
 *   <li>{@code tools} as pydantic dumps them ({@code type}, then {@code function} with {@code name},
 *       {@code description} and {@code parameters}, null when absent), {@code None} without tools;
 *   <li>{@code add_generation_prompt} (default true), {@code continue_final_message} (the render
 *       cut after the last message's text, as transformers does), {@code documents=None}, the
 *       tokenizer's special tokens ({@code bos_token}, {@code eos_token}, ...), and the request's
 *       {@code chat_template_kwargs} over all of them.
 * </ul>
 *
 * <p>A template that raises on the request (Gemma 3 on a {@code tool} message, say) or fails on
 * its data is the 400 the engine would answer, thrown as an {@link ApiException} before anything is
 * reserved. A render that runs past {@link #LIMITS} throws the {@link TemplateException}: the
 * estimator then counts approximately. Thread-safe.
 */
final class JinjaChatTemplate implements ChatTemplate {
  /**
   * Bounds on one render. A body is at most a few MiB and templates write each message once or
   * twice, so 32 Mi characters and 20 M steps are far past any real chat; the time bound keeps a
   * pathological one from holding an estimator thread.
   */
  static final Limits LIMITS = new Limits(32L << 20, 20_000_000, 256, 2_000_000_000L, System::nanoTime);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String origin;
  private final Template template;
  private final Map<String, String> specialTokens;
  private final boolean partsContent;
  private final Limits limits;
  private final Clock clock;

  /**
   * @param origin where the template came from, for logs (its file)
   * @param template the compiled template
   * @param specialTokens {@code bos_token}, {@code eos_token}, ... as strings
   * @param limits bounds on one render
   * @param clock what {@code strftime_now} reads
   */
  JinjaChatTemplate(String origin, Template template, Map<String, String> specialTokens, Limits limits,
      Clock clock) {
    this.origin = origin;
    this.template = template;
    this.specialTokens = Map.copyOf(specialTokens);
    this.partsContent = template.iteratesOverMessageContent();
    this.limits = limits;
    this.clock = clock;
  }

  JinjaChatTemplate(String origin, Template template, Map<String, String> specialTokens) {
    this(origin, template, specialTokens, LIMITS, Clock.systemDefaultZone());
  }

  @Override
  public String name() {
    return "jinja";
  }

  /** The file the template was read from. */
  String origin() {
    return origin;
  }

  /** Whether messages reach the template as lists of typed parts (vLLM's "openai" content format). */
  boolean partsContent() {
    return partsContent;
  }

  @Override
  public Prompt render(ObjectNode body) {
    return new Prompt(List.of(renderText(body)), 0);
  }

  /**
   * The prompt text for {@code body}.
   *
   * @throws ApiException when the engine would refuse the request: its template raised or failed on
   *     the request's data, or the request asks for both a generation prompt and a continuation
   * @throws TemplateException of kind {@code LIMIT} when the render ran past its bounds
   */
  String renderText(ObjectNode body) {
    boolean continueFinal = body.path("continue_final_message").asBoolean(false);
    JsonNode addNode = body.get("add_generation_prompt");
    boolean addGenerationPrompt = addNode == null || addNode.isNull() || addNode.asBoolean(true);
    if (continueFinal && addGenerationPrompt) {
      throw new ApiException(OpenAiError.badRequest("continue_final_message",
          "Cannot set both `continue_final_message` and `add_generation_prompt` to True."));
    }
    List<Object> messages = messages(body.get("messages"));
    Map<String, Object> context = new LinkedHashMap<>(specialTokens);
    context.put("messages", messages);
    context.put("tools", tools(body.get("tools")));
    context.put("documents", null);
    context.put("add_generation_prompt", addGenerationPrompt);
    JsonNode kwargs = body.path("chat_template_kwargs");
    List<String> unexpected = Stream.of("chat_template", "tokenize").filter(kwargs::has).toList();
    if (!unexpected.isEmpty()) { // vLLM resolves the template before it reads these
      throw new ApiException(OpenAiError.badRequest("chat_template_kwargs", "Found unexpected chat template kwargs"
          + " from request: " + unexpected.stream().map(k -> "'" + k + "'").collect(Collectors.joining(", ", "{", "}"))));
    }
    kwargs.fields().forEachRemaining(e -> context.put(e.getKey(), e.getValue()));
    String rendered;
    try {
      rendered = template.render(context, limits, clock);
    } catch (TemplateException e) {
      if (e.kind() == TemplateException.Kind.LIMIT) {
        throw e;
      }
      throw new ApiException(OpenAiError.badRequest(null, e.getMessage()));
    }
    return continueFinal ? continueFinalMessage(rendered, messages) : rendered;
  }

  /** transformers' {@code continue_final_message}: the prompt ends where the last message's text does. */
  private static String continueFinalMessage(String rendered, List<Object> messages) {
    Object content = ((Map<?, ?>) messages.get(messages.size() - 1)).get("content");
    String last = null;
    if (content instanceof String s) {
      last = s;
    } else if (content instanceof List<?> parts) {
      for (int i = parts.size() - 1; i >= 0 && last == null; i--) {
        if (parts.get(i) instanceof Map<?, ?> part && part.get("text") instanceof String text) {
          last = text;
        }
      }
    }
    if (last == null) {
      throw new ApiException(OpenAiError.badRequest("continue_final_message",
          "continue_final_message is set but we could not find any text to continue in the final message!"));
    }
    String stripped = last.strip();
    int at = rendered.lastIndexOf(stripped);
    if (at < 0) {
      throw new ApiException(OpenAiError.badRequest("continue_final_message", "continue_final_message is set but"
          + " the final message does not appear in the chat after applying the chat template!"));
    }
    String lstripped = last.stripLeading();
    boolean kept = rendered.startsWith(lstripped, at) && lstripped.equals(last);
    return rendered.substring(0, at + (kept ? lstripped.length() : stripped.length()));
  }

  private List<Object> messages(JsonNode messages) {
    List<Object> out = new ArrayList<>(messages.size());
    for (JsonNode message : messages) {
      String role = Messages.role(message);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", role);
      m.put("content", partsContent ? parts(message.get("content")) : Messages.text(message));
      if (role.equals("assistant")) {
        JsonNode calls = message.get("tool_calls");
        if (calls != null && calls.isArray() && !calls.isEmpty()) { // vLLM drops an empty list
          m.put("tool_calls", toolCalls(calls));
        }
        JsonNode reasoning = message.hasNonNull("reasoning") ? message.get("reasoning")
            : message.get("reasoning_content");
        if (reasoning != null && reasoning.isTextual()) {
          m.put("reasoning", reasoning.textValue());
          m.put("reasoning_content", reasoning.textValue());
        }
      } else if (role.equals("tool") && message.has("tool_call_id")) {
        m.put("tool_call_id", message.get("tool_call_id"));
      }
      JsonNode name = message.get("name");
      if (name != null && name.isTextual()) {
        m.put("name", name.textValue());
      }
      out.add(m);
    }
    return out;
  }

  /** vLLM's "openai" content: a list of {@code {type: text, text}} and {@code {type: image}} parts. */
  private static List<Object> parts(JsonNode content) {
    List<Object> parts = new ArrayList<>();
    if (content == null || content.isNull()) {
      return parts;
    }
    if (content.isTextual()) {
      parts.add(textPart(content.textValue()));
      return parts;
    }
    for (JsonNode part : content) {
      String type = part.path("type").asText("");
      if (part.path("text").isTextual() && !type.contains("image")) {
        parts.add(textPart(part.get("text").textValue()));
      } else if (type.equals("image_url") || type.equals("input_image") || type.equals("image")
          || part.has("image_url")) {
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("type", "image");
        parts.add(image);
      }
    }
    return parts;
  }

  private static Map<String, Object> textPart(String text) {
    Map<String, Object> part = new LinkedHashMap<>();
    part.put("type", "text");
    part.put("text", text);
    return part;
  }

  /**
   * vLLM's tool calls: each an object of type {@code function}, its {@code arguments} parsed into a
   * JSON object ({@code {}} when empty, not JSON, or JSON but not an object: vLLM coerces rather than
   * fail every later turn of the conversation).
   */
  private static List<Object> toolCalls(JsonNode calls) {
    List<Object> out = new ArrayList<>(calls.size());
    for (JsonNode call : calls) {
      if (!call.isObject()) {
        throw new ApiException(OpenAiError.badRequest("tool_calls", "assistant tool_calls entries must be objects."));
      }
      if (!call.path("type").asText("function").equals("function") || !call.path("function").isObject()) {
        throw new ApiException(OpenAiError.badRequest("tool_calls",
            "chat completions only support assistant tool_calls of type 'function'."));
      }
      Map<String, Object> f = fields(call.get("function"));
      f.put("arguments", arguments(call.get("function").get("arguments")));
      Map<String, Object> c = fields(call);
      c.put("function", f);
      out.add(c);
    }
    return out;
  }

  private static JsonNode arguments(JsonNode arguments) {
    JsonNode parsed = arguments;
    if (arguments != null && arguments.isTextual()) {
      try {
        parsed = arguments.textValue().isEmpty() ? null : JSON.readTree(arguments.textValue());
      } catch (java.io.IOException e) {
        parsed = null;
      }
    }
    return parsed != null && parsed.isObject() ? parsed : JSON.createObjectNode();
  }

  /** The object's members, in order, as a map the caller may add to (the values stay trees). */
  private static Map<String, Object> fields(JsonNode object) {
    Map<String, Object> out = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** The tools as vLLM's pydantic model dumps them: declared fields first (null when absent), then extras. */
  private static List<Object> tools(JsonNode tools) {
    if (tools == null || tools.isNull() || !tools.isArray()) {
      return null;
    }
    List<Object> out = new ArrayList<>(tools.size());
    for (JsonNode tool : tools) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("type", tool.path("type").isTextual() ? tool.get("type").textValue() : "function");
      JsonNode function = tool.path("function");
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("name", function.get("name"));
      f.put("description", function.get("description"));
      f.put("parameters", function.get("parameters"));
      extras(function, f);
      t.put("function", f);
      extras(tool, t);
      out.add(t);
    }
    return out;
  }

  private static void extras(JsonNode from, Map<String, Object> into) {
    from.fields().forEachRemaining(e -> into.putIfAbsent(e.getKey(), e.getValue()));
  }
}
