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
 * @param path huggingface: local path or {@code file:} URL of tokenizer.json (tokenizer_config.json
 *     beside it holds the chat template); other URLs are refused, not downloaded
 * @param encoding tiktoken: encoding name, e.g. {@code o200k_base}, {@code cl100k_base}
 * @param imageTokens flat cost counted for each image part of a chat message
 * @param timeout engine: how long to wait for the pod's tokenize API before falling back
 * @param chatTemplate huggingface: local path (or {@code file:} URL) of the model's Jinja chat
 *     template, as vLLM's {@code --chat-template}; by default {@code chat_template.jinja} beside
 *     tokenizer.json, else the {@code chat_template} of tokenizer_config.json
 */
public record TokenizerSpec(
    @JsonPropertyDescription("approximate | huggingface | tiktoken | engine") TokenizerType type,
    @JsonPropertyDescription("huggingface: local path (or file: URL) of tokenizer.json; other URLs are refused: "
        + "download the file and mount it")
        String path,
    @JsonPropertyDescription("tiktoken: encoding name, e.g. o200k_base") String encoding,
    @JsonPropertyDescription("Tokens counted for each image in a chat message") @Min(0) Integer imageTokens,
    @JsonPropertyDescription("engine: time to wait for the pod's tokenize API, then fall back")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration timeout,
    @JsonPropertyDescription("huggingface: local path (or file: URL) of the Jinja chat template, as vLLM's "
        + "--chat-template; default: chat_template.jinja beside tokenizer.json, else tokenizer_config.json's")
        String chatTemplate) {

  // The rules are on explicit accessors, not on the components: from a component the CRD generator
  // read each rule twice (on the field and on the accessor), and server-side apply refuses
  // duplicate x-kubernetes-validations entries.
  @ValidationRule(value = TokenizerSpec.LOCAL_PATH_RULE, message = TokenizerSpec.LOCAL_PATH_MESSAGE)
  @Override
  public String path() {
    return path;
  }

  @ValidationRule(value = TokenizerSpec.LOCAL_PATH_RULE, message = TokenizerSpec.LOCAL_PATH_MESSAGE)
  @Override
  public String chatTemplate() {
    return chatTemplate;
  }

  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration timeout() {
    return timeout;
  }

  /**
   * What a URL looks like to the tokenizer's path ({@code scheme://}); only {@link #FILE_PREFIX}
   * ones are read. The router reads tokenizer files from disk only: fetching them at start-up would
   * make a pod's start depend on a remote host, and a hub URL points at an HTML page, not the file.
   */
  public static final String URL_PATTERN = "^[A-Za-z][A-Za-z0-9+.-]*://";
  public static final String FILE_PREFIX = "file:";
  /** The CRD schema's check of {@code path}; {@link SpecRules} applies {@link #isDownload} instead. */
  public static final String LOCAL_PATH_RULE = "!self.matches('" + TokenizerSpec.URL_PATTERN + "') || self.startsWith('"
      + TokenizerSpec.FILE_PREFIX + "')";
  public static final String LOCAL_PATH_MESSAGE = "must be a local path (or a file: URL); other URLs are not "
      + "downloaded: download the file and mount it";
  private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile(URL_PATTERN);

  /** Whether {@code path} names a file to download (refused) rather than one on disk. */
  public static boolean isDownload(String path) {
    return URL.matcher(path).find() && !path.startsWith(FILE_PREFIX);
  }

  public TokenizerSpec {
    type = type == null ? TokenizerType.APPROXIMATE : type;
    imageTokens = imageTokens == null ? 576 : imageTokens;
    timeout = timeout == null ? Duration.ofMillis(200) : timeout;
  }

  public static TokenizerSpec approximate() {
    return new TokenizerSpec(null, null, null, null, null, null);
  }
}
