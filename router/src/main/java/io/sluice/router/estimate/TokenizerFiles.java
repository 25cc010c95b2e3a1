package io.sluice.router.estimate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads what the estimator needs from a model's tokenizer files: the added tokens of
 * tokenizer.json (to split prompts at them) and the chat template of tokenizer_config.json beside
 * it (to pick a {@link ChatTemplate}).
 */
final class TokenizerFiles {
  /** SHA-256 of the chat templates {@link Qwen3ChatTemplate} reproduces. */
  static final Set<String> QWEN3_TEMPLATES =
      Set.of("87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5");

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

  /** The chat template for the tokenizer at {@code tokenizerJson}, exact when Sluice knows it. */
  static ChatTemplate chatTemplate(Path tokenizerJson) {
    String template = chatTemplateSource(tokenizerJson.resolveSibling("tokenizer_config.json"));
    if (template != null && QWEN3_TEMPLATES.contains(sha256(template))) {
      return new Qwen3ChatTemplate();
    }
    return OverheadTemplate.CHATML;
  }

  /** The {@code chat_template} of a tokenizer_config.json (the {@code default} one of a list), or null. */
  static String chatTemplateSource(Path config) {
    if (!Files.exists(config)) {
      return null;
    }
    try {
      JsonNode template = JSON.readTree(io.sluice.router.files.BoundedFiles.read(config,
          io.sluice.router.files.BoundedFiles.TOKENIZER_CONFIG, "tokenizer config")).get("chat_template");
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
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + config, e);
    }
  }

  static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
