package io.sluice.router.estimate;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts with an OpenAI encoding (JTokkit, pure Java). OpenAI's chat format is not a published
 * template, so chats use OpenAI's published per-message overhead ({@link OverheadTemplate#OPENAI}).
 * Special-token text in a prompt is counted as ordinary text, as the API does for user content.
 */
public final class TiktokenCounter extends TokenizingCounter {
  private final Encoding encoding;

  private TiktokenCounter(Encoding encoding, SegmentCache cache, int imageTokens) {
    super(PromptCount.TIKTOKEN, OverheadTemplate.OPENAI, SegmentSplitter.NONE, cache, imageTokens);
    this.encoding = encoding;
  }

  /**
   * A counter for the named encoding, e.g. {@code o200k_base} or {@code cl100k_base}.
   *
   * @throws IllegalArgumentException for an unknown encoding name
   */
  public static TiktokenCounter of(String encodingName, SegmentCache cache, int imageTokens) {
    Optional<EncodingType> type = EncodingType.fromName(encodingName);
    if (type.isEmpty()) {
      throw new IllegalArgumentException("unknown tiktoken encoding '" + encodingName + "'; known: " + known());
    }
    return new TiktokenCounter(Encodings.newLazyEncodingRegistry().getEncoding(type.get()), cache, imageTokens);
  }

  /** The encoding names JTokkit knows. */
  public static Set<String> known() {
    Set<String> names = new TreeSet<>();
    for (EncodingType type : EncodingType.values()) {
      names.add(type.getName());
    }
    return names;
  }

  @Override
  int tokenize(String text) {
    return encoding.countTokensOrdinary(text);
  }
}
