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
 * @param path huggingface: path or URL of tokenizer.json (tokenizer_config.json beside it holds the
 *     chat template)
 * @param encoding tiktoken: encoding name, e.g. {@code o200k_base}, {@code cl100k_base}
 * @param imageTokens flat cost counted for each image part of a chat message
 * @param timeout engine: how long to wait for the pod's tokenize API before falling back
 */
public record TokenizerSpec(
    @JsonPropertyDescription("approximate | huggingface | tiktoken | engine") TokenizerType type,
    @JsonPropertyDescription("huggingface: path or URL of tokenizer.json") String path,
    @JsonPropertyDescription("tiktoken: encoding name, e.g. o200k_base") String encoding,
    @JsonPropertyDescription("Tokens counted for each image in a chat message") @Min(0) Integer imageTokens,
    @JsonPropertyDescription("engine: time to wait for the pod's tokenize API, then fall back")
        @SchemaFrom(type = String.class) @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration timeout) {

  public TokenizerSpec {
    type = type == null ? TokenizerType.APPROXIMATE : type;
    imageTokens = imageTokens == null ? 576 : imageTokens;
    timeout = timeout == null ? Duration.ofMillis(200) : timeout;
  }

  public static TokenizerSpec approximate() {
    return new TokenizerSpec(null, null, null, null, null);
  }
}
