package io.sluice.router.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Parses and checks an inference request body: valid JSON, an object, a string {@code model}, and
 * the types of the fields the router or the engine depends on. Refusals are {@link ApiException}s
 * carrying a 400 in OpenAI's format.
 */
public final class RequestParser {
  private static final int MAX_NESTING = 64;
  private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
          .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private RequestParser() {}

  public static InferenceRequest parse(ApiKind kind, byte[] body) {
    if (body.length == 0) {
      throw new ApiException(OpenAiError.badRequest(null, "The request body is empty; send a JSON object."));
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(OpenAiError.badRequest(null,
          "We could not parse the JSON body of your request: " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ApiException(OpenAiError.badRequest(null, "We could not read the body of your request."));
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(OpenAiError.badRequest(null, "The request body must be a JSON object."));
    }
    ObjectNode object = (ObjectNode) root;
    JsonNode model = object.get("model");
    if (model == null || model.isNull()) {
      throw new ApiException(OpenAiError.badRequest("model", "You must provide a model parameter."));
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw new ApiException(OpenAiError.badRequest("model", "'model' must be a non-empty string."));
    }
    boolean stream = optionalBoolean(object, "stream");
    checkOptionalPositiveInt(object, "max_tokens");
    checkOptionalPositiveInt(object, "max_completion_tokens");
    checkOptionalPositiveInt(object, "n");
    checkOptionalPositiveInt(object, "max_output_tokens");
    JsonNode streamOptions = object.get("stream_options");
    if (streamOptions != null && !streamOptions.isNull() && !streamOptions.isObject()) {
      throw new ApiException(OpenAiError.badRequest("stream_options", "'stream_options' must be an object."));
    }
    switch (kind) {
      case CHAT -> checkMessages(object);
      case COMPLETIONS -> checkPrompt(object, "prompt");
      case EMBEDDINGS -> checkPrompt(object, "input");
      case RESPONSES -> checkResponseInput(object);
      case TOKENIZE -> checkPromptOrMessages(object, "prompt");
      case DETOKENIZE -> checkTokens(object);
      case RERANK, RERANK_V1 -> checkRerank(object);
      case SCORE, SCORE_V1 -> checkScore(object);
      case POOLING, CLASSIFY -> checkPromptOrMessages(object, "input");
      default -> throw new IllegalStateException(kind.name()); // multipart: MultipartFields
    }
    return new InferenceRequest(kind, model.asText(), stream, object);
  }

  private static boolean optionalBoolean(ObjectNode object, String field) {
    JsonNode node = object.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new ApiException(OpenAiError.badRequest(field, "'" + field + "' must be true or false."));
    }
    return node.booleanValue();
  }

  private static void checkOptionalPositiveInt(ObjectNode object, String field) {
    JsonNode node = object.get(field);
    if (node == null || node.isNull()) {
      return;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
      throw new ApiException(OpenAiError.badRequest(field,
          "'" + field + "' must be a whole number from 1 to " + Integer.MAX_VALUE + "."));
    }
  }

  private static void checkMessages(ObjectNode object) {
    JsonNode messages = object.get("messages");
    if (messages == null || messages.isNull()) {
      throw new ApiException(OpenAiError.badRequest("messages", "You must provide a messages parameter."));
    }
    if (!messages.isArray() || messages.isEmpty()) {
      throw new ApiException(OpenAiError.badRequest("messages", "'messages' must be a non-empty array."));
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String param = "messages[" + i + "]";
      if (!message.isObject()) {
        throw new ApiException(OpenAiError.badRequest(param, "Each message must be an object."));
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual()) {
        throw new ApiException(OpenAiError.badRequest(param + ".role", "Each message must have a string 'role'."));
      }
      JsonNode content = message.get("content");
      if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
        throw new ApiException(OpenAiError.badRequest(param + ".content",
            "'content' must be a string or an array of content parts."));
      }
    }
  }

  /**
   * A Responses body: {@code input} a non-empty string or a non-empty array of item objects (a
   * message with a string {@code role} has a string or array {@code content}); {@code
   * instructions} a string; {@code tools} an array.
   */
  private static void checkResponseInput(ObjectNode object) {
    JsonNode instructions = object.get("instructions");
    if (instructions != null && !instructions.isNull() && !instructions.isTextual()) {
      throw new ApiException(OpenAiError.badRequest("instructions", "'instructions' must be a string."));
    }
    JsonNode tools = object.get("tools");
    if (tools != null && !tools.isNull() && !tools.isArray()) {
      throw new ApiException(OpenAiError.badRequest("tools", "'tools' must be an array."));
    }
    JsonNode input = object.get("input");
    if (input == null || input.isNull()) {
      throw new ApiException(OpenAiError.badRequest("input", "You must provide an input parameter."));
    }
    if (input.isTextual()) {
      return;
    }
    if (!input.isArray() || input.isEmpty()) {
      throw new ApiException(OpenAiError.badRequest("input",
          "'input' must be a string or a non-empty array of input items."));
    }
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      String param = "input[" + i + "]";
      if (!item.isObject()) {
        throw new ApiException(OpenAiError.badRequest(param, "Each input item must be an object."));
      }
      JsonNode role = item.get("role");
      if (role != null && !role.isTextual()) {
        throw new ApiException(OpenAiError.badRequest(param + ".role", "'role' must be a string."));
      }
      JsonNode content = item.get("content");
      if (role != null && content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
        throw new ApiException(OpenAiError.badRequest(param + ".content",
            "'content' must be a string or an array of content parts."));
      }
    }
  }

  private static void checkPrompt(ObjectNode object, String field) {
    JsonNode prompt = object.get(field);
    if (prompt == null || prompt.isNull()) {
      throw new ApiException(OpenAiError.badRequest(field, "You must provide a " + field + " parameter."));
    }
    if (prompt.isTextual()) {
      return;
    }
    if (!prompt.isArray() || prompt.isEmpty()) {
      throw new ApiException(OpenAiError.badRequest(field,
          "'" + field + "' must be a string, an array of strings, or an array of token ids."));
    }
    for (JsonNode item : prompt) {
      boolean ok = item.isTextual() || item.isIntegralNumber()
          || (item.isArray() && allIntegral(item));
      if (!ok) {
        throw new ApiException(OpenAiError.badRequest(field,
            "'" + field + "' must be a string, an array of strings, or an array of token ids."));
      }
    }
  }

  /** vLLM's tokenize, pooling and classify take a prompt (or input) or chat messages. */
  private static void checkPromptOrMessages(ObjectNode object, String field) {
    JsonNode messages = object.get("messages");
    if (messages != null && !messages.isNull()) {
      checkMessages(object);
    } else {
      checkPrompt(object, field);
    }
  }

  private static void checkTokens(ObjectNode object) {
    JsonNode tokens = object.get("tokens");
    if (tokens == null || tokens.isNull()) {
      throw new ApiException(OpenAiError.badRequest("tokens", "You must provide a tokens parameter."));
    }
    if (!tokens.isArray() || !allIntegral(tokens)) {
      throw new ApiException(OpenAiError.badRequest("tokens", "'tokens' must be an array of token ids."));
    }
  }

  private static void checkRerank(ObjectNode object) {
    JsonNode query = object.get("query");
    if (query == null || query.isNull()) {
      throw new ApiException(OpenAiError.badRequest("query", "You must provide a query parameter."));
    }
    if (!query.isTextual() && !query.isObject()) {
      throw new ApiException(OpenAiError.badRequest("query", "'query' must be a string."));
    }
    JsonNode documents = object.get("documents");
    if (documents == null || documents.isNull()) {
      throw new ApiException(OpenAiError.badRequest("documents", "You must provide a documents parameter."));
    }
    if (!documents.isArray() && !documents.isObject()) {
      throw new ApiException(OpenAiError.badRequest("documents", "'documents' must be an array."));
    }
  }

  /** vLLM's score: {@code text_1} against {@code text_2} (or {@code queries} against {@code documents}). */
  private static void checkScore(ObjectNode object) {
    boolean pairs = object.hasNonNull("queries") || object.hasNonNull("documents");
    String first = pairs ? "queries" : "text_1";
    String second = pairs ? "documents" : "text_2";
    for (String field : new String[] {first, second}) {
      JsonNode side = object.get(field);
      if (side == null || side.isNull()) {
        throw new ApiException(OpenAiError.badRequest(field, "You must provide a " + field + " parameter."));
      }
      if (!side.isTextual() && !side.isArray() && !side.isObject()) {
        throw new ApiException(OpenAiError.badRequest(field, "'" + field + "' must be a string or an array."));
      }
    }
  }

  private static boolean allIntegral(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }
}
