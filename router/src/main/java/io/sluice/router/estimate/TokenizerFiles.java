package io.sluice.router.estimate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.router.estimate.jinja.Template;
import io.sluice.router.estimate.jinja.TemplateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Reads what the estimator needs from a model's tokenizer files: the added tokens of
 * tokenizer.json (to split prompts at them), the chat template (to render chats as the engine
 * does) and the special tokens that template writes.
 */
final class TokenizerFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenizerFiles() {}

  /**
   * The added tokens' contents, or an empty list when any of them strips neighbouring spaces or
   * must match a whole word (then a piece's count would depend on its neighbours, and the prompt
   * is tokenized whole).
   */
  static List<String> splittableAddedTokens(Path tokenizerJson) {
    List<String> tokens = new ArrayList<>();
    try (JsonParser parser = new JsonFactory().createParser(tokenizerJson.toFile())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException(tokenizerJson + " is not a tokenizer.json object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (!field.equals("added_tokens")) {
          parser.skipChildren();
          continue;
        }
        JsonNode added = JSON.readTree(parser);
        for (JsonNode token : added) {
          if (token.path("lstrip").asBoolean() || token.path("rstrip").asBoolean()
              || token.path("single_word").asBoolean()) {
            return List.of();
          }
          tokens.add(token.path("content").asText());
        }
        return tokens;
      }
      return tokens;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + tokenizerJson, e);
    }
  }

  /**
   * The chat template for the tokenizer at {@code tokenizerJson}: the model's own, run by
   * {@link JinjaChatTemplate}, from {@code chatTemplate} when given, else {@code chat_template.jinja}
   * beside it, else the {@code chat_template} of tokenizer_config.json beside it (the order in which
   * transformers and vLLM's {@code --chat-template} pick one). Without a template, or with one
   * Sluice cannot parse (logged), the ChatML per-message overhead.
   *
   * @param chatTemplate a template file configured for the pool, or null
   */
  static ChatTemplate chatTemplate(Path tokenizerJson, Path chatTemplate) {
    Path configFile = tokenizerJson.resolveSibling("tokenizer_config.json");
    JsonNode config = readConfig(configFile);
    Path beside = tokenizerJson.resolveSibling("chat_template.jinja");
    String source;
    String origin;
    if (chatTemplate != null) {
      source = readTemplate(chatTemplate);
      origin = chatTemplate.toString();
    } else if (Files.exists(beside)) {
      source = readTemplate(beside);
      origin = beside.toString();
    } else {
      source = chatTemplateSource(config);
      origin = configFile.toString();
    }
    if (source == null) {
      return OverheadTemplate.CHATML;
    }
    try {
      return new JinjaChatTemplate(origin, Template.parse(source), specialTokens(config));
    } catch (TemplateException e) {
      LoggerFactory.getLogger(TokenizerFiles.class).warn(
          "cannot run the chat template of {} ({}); counting chats with a per-message overhead instead", origin,
          e.getMessage());
      return OverheadTemplate.CHATML;
    }
  }

  static ChatTemplate chatTemplate(Path tokenizerJson) {
    return chatTemplate(tokenizerJson, null);
  }

  private static String readTemplate(Path file) {
    try {
      return new String(io.sluice.router.files.BoundedFiles.read(file,
          io.sluice.router.files.BoundedFiles.TOKENIZER_CONFIG, "chat template"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** A tokenizer_config.json, or an empty object when there is none. */
  private static JsonNode readConfig(Path config) {
    if (!Files.exists(config)) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(io.sluice.router.files.BoundedFiles.read(config,
          io.sluice.router.files.BoundedFiles.TOKENIZER_CONFIG, "tokenizer config"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + config, e);
    }
  }

  /**
   * The special tokens of a tokenizer_config.json as the strings a template sees ({@code bos_token},
   * {@code eos_token}, {@code unk_token}, {@code pad_token}; an added-token object by its
   * {@code content}); transformers passes them to every chat template.
   */
  static Map<String, String> specialTokens(JsonNode config) {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String name : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
      JsonNode token = config.get(name);
      if (token != null && token.isTextual()) {
        tokens.put(name, token.textValue());
      } else if (token != null && token.path("content").isTextual()) {
        tokens.put(name, token.get("content").textValue());
      }
    }
    return tokens;
  }

  /** The {@code chat_template} of a tokenizer_config.json (the {@code default} one of a list), or null. */
  static String chatTemplateSource(JsonNode config) {
    JsonNode template = config.get("chat_template");
    if (template == null || template.isNull()) {
      return null;
    }
    if (template.isTextual()) {
      return template.textValue();
    }
    for (JsonNode named : template) {
      if ("default".equals(named.path("name").asText())) {
        return named.path("template").asText();
      }
    }
    return null;
  }
}
