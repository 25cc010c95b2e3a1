package io.sluice.router.estimate;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Counts with the model's own tokenizer.json through DJL's binding of Hugging Face tokenizers,
 * and renders chats with the model's own chat template ({@link JinjaChatTemplate}; a per-message
 * overhead when the model has none). Special tokens are not added: the chat template already
 * writes them.
 */
public final class HuggingFaceCounter extends TokenizingCounter implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private HuggingFaceCounter(HuggingFaceTokenizer tokenizer, ChatTemplate template, SegmentSplitter splitter,
      SegmentCache cache, int imageTokens) {
    super(PromptCount.HUGGINGFACE, template, splitter, cache, imageTokens);
    this.tokenizer = tokenizer;
  }

  /**
   * Loads {@code tokenizerJson} and, from tokenizer_config.json beside it, the chat template.
   *
   * @throws UncheckedIOException when the file cannot be read or parsed
   */
  public static HuggingFaceCounter load(Path tokenizerJson, SegmentCache cache, int imageTokens) {
    return load(tokenizerJson, null, cache, imageTokens);
  }

  /**
   * Loads {@code tokenizerJson} and the chat template: {@code chatTemplate} when given, else the
   * one beside the tokenizer (see {@link TokenizerFiles#chatTemplate(Path, Path)}).
   *
   * @throws UncheckedIOException when a file cannot be read or parsed
   */
  public static HuggingFaceCounter load(Path tokenizerJson, Path chatTemplate, SegmentCache cache, int imageTokens) {
    try {
      io.sluice.router.files.BoundedFiles.check(tokenizerJson, io.sluice.router.files.BoundedFiles.TOKENIZER,
          "tokenizer file");
      HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
          .optTokenizerPath(tokenizerJson)
          // DJL truncates to 512 tokens and pads by default: a count must see the whole text.
          .optTruncation(false)
          .optPadding(false)
          .optAddSpecialTokens(false)
          .build();
      return new HuggingFaceCounter(tokenizer, TokenizerFiles.chatTemplate(tokenizerJson, chatTemplate),
          new SegmentSplitter(TokenizerFiles.splittableAddedTokens(tokenizerJson)), cache, imageTokens);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
    } catch (RuntimeException e) {
      throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(),
          new IOException(e));
    }
  }

  @Override
  int tokenize(String text) {
    return tokenizer.encode(text, false, false).getIds().length;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
