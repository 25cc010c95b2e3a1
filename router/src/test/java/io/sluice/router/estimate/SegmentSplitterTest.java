package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentSplitterTest {
  private static List<String> pieces(SegmentSplitter splitter, String text) {
    List<String> out = new ArrayList<>();
    splitter.split(text, new SegmentSplitter.Sink() {
      @Override
      public void text(String t, int from, int to) {
        out.add(t.substring(from, to));
      }

      @Override
      public void addedToken() {
        out.add("#");
      }
    });
    return out;
  }

  @Test
  void splitsAtAddedTokensLeftmostLongest() {
    SegmentSplitter splitter = new SegmentSplitter(List.of("<a>", "<ab>", "<|x|>", "é!"));
    assertThat(pieces(splitter, "<|x|>hi<ab><a>yo é!")).containsExactly("#", "hi", "#", "#", "yo ", "#");
  }

  @Test
  void textWithoutAddedTokensIsOnePiece() {
    assertThat(pieces(SegmentSplitter.NONE, "plain <|x|> text")).containsExactly("plain <|x|> text");
    assertThat(pieces(new SegmentSplitter(List.of("<|x|>")), "")).isEmpty();
  }
}
