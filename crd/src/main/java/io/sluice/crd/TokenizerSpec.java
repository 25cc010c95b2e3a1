package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * How a pool counts prompt tokens.
 *
 * @param type {@code approximate} (Unicode code points / 4, the default), {@code huggingface} (a
 *     tokenizer.json), {@code tiktoken} (an OpenAI encoding) or {@code engine} (the pod's tokenize API)
 * @param path huggingface: local path of tokenizer.json (tokenizer_config.json beside it holds the
 *     chat template); URLs are refused, not downloaded
 * @param encoding tiktoken: encoding name, e.g. {@code o200k_base}, {@code cl100k_base}
 * @param imageTokens flat cost counted for each image part of a chat message
 * @param timeout engine: how long to wait for the pod's tokenize API before falling back
 */
public record TokenizerSpec(
    @JsonPropertyDescription("approximate | huggingface | tiktoken | engine") TokenizerType type,
    @JsonPropertyDescription("huggingface: local path of tokenizer.json (a URL is refused: download the file "
        + "and mount it)") @ValidationRule(value = TokenizerSpec.LOCAL_PATH_RULE, message = TokenizerSpec.LOCAL_PATH_MESSAGE)
        String path,
    @JsonPropertyDescription("tiktoken: encoding name, e.g. o200k_base") String encoding,
    @JsonPropertyDescription("Tokens counted for each image in a chat message") @Min(0) Integer imageTokens,
    @JsonPropertyDescription("engine: time to wait for the pod's tokenize API, then fall back")
        @SchemaFrom(type = String.class) @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration timeout) {

  /**
   * What a URL looks like to the tokenizer's path ({@code scheme://}). The router reads tokenizer
   * files from disk only: fetching them at start-up would make a pod's start depend on a remote
   * host, and a hub URL points at an HTML page, not the file.
   */
  public static final String URL_PATTERN = "^[A-Za-z][A-Za-z0-9+.-]*://";
  /** The CRD schema's check of {@code path}; {@link SpecRules} applies the same to a static file. */
  public static final String LOCAL_PATH_RULE = "!self.matches('" + TokenizerSpec.URL_PATTERN + "')";
  public static final String LOCAL_PATH_MESSAGE = "must be a local path of tokenizer.json; URLs are not downloaded "
      + "(download the file and mount it, e.g. from the model's directory)";

  public TokenizerSpec {
    type = type == null ? TokenizerType.APPROXIMATE : type;
    imageTokens = imageTokens == null ? 576 : imageTokens;
    timeout = timeout == null ? Duration.ofMillis(200) : timeout;
  }

  public static TokenizerSpec approximate() {
    return new TokenizerSpec(null, null, null, null, null);
  }
}
