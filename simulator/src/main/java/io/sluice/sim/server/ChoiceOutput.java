package io.sluice.sim.server;

import io.sluice.sim.text.OutputText;
import java.util.ArrayList;
import java.util.List;

/**
 * What one choice generates, token by token: plain words (as long as the engine lets it run), a
 * JSON document (guided decoding: its length is the document's), or a tool call (one token that
 * names the function, then the arguments' JSON). Each output token is one piece of text, so usage
 * and the KV cache count exactly what is sent.
 */
final class ChoiceOutput {
    enum Kind { TEXT, JSON, TOOL_CALL }

    private final Kind kind;
    private final List<String> pieces;
    private final String toolName;
    private final String toolCallId;
    /** Where plain text starts in the word sequence, so that choices of one request differ. */
    private final int textOffset;

    private ChoiceOutput(Kind kind, List<String> pieces, String toolName, String toolCallId, int textOffset) {
        this.kind = kind;
        this.pieces = pieces;
        this.toolName = toolName;
        this.toolCallId = toolCallId;
        this.textOffset = textOffset;
    }

    /** Plain words; choice 0 says what a single-choice request says. */
    static ChoiceOutput text(int choice) {
        return new ChoiceOutput(Kind.TEXT, null, null, null, 13 * choice);
    }

    static ChoiceOutput json(String json) {
        return new ChoiceOutput(Kind.JSON, split(json), null, null, 0);
    }

    /** A call of {@code name}: token 0 carries the name (vLLM's first tool-call delta), then the arguments. */
    static ChoiceOutput toolCall(String name, String callId, String arguments) {
        List<String> pieces = new ArrayList<>();
        pieces.add("");
        pieces.addAll(split(arguments));
        return new ChoiceOutput(Kind.TOOL_CALL, pieces, name, callId, 0);
    }

    Kind kind() {
        return kind;
    }

    String toolName() {
        return toolName;
    }

    String toolCallId() {
        return toolCallId;
    }

    /** Tokens this output has when it runs to its end; null for plain text (the length draw decides). */
    Integer naturalLength() {
        return pieces == null ? null : pieces.size();
    }

    /** Text of output token {@code index}. */
    String piece(int index) {
        if (pieces == null) {
            return OutputText.token(textOffset + index);
        }
        return index < pieces.size() ? pieces.get(index) : "";
    }

    /**
     * Cuts text into token-like pieces: a run of letters or digits (with the spaces before it) of at
     * most four characters, or a single other character.
     */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            boolean word = Character.isLetterOrDigit(c);
            boolean curIsSpaces = !cur.isEmpty() && cur.chars().allMatch(ch -> ch == ' ');
            boolean curIsWord = !cur.isEmpty() && Character.isLetterOrDigit(cur.codePointBefore(cur.length()));
            boolean keep = word ? (curIsSpaces || curIsWord) && cur.length() < 4 : c == ' ' && curIsSpaces && cur.length() < 4;
            if (!cur.isEmpty() && !keep) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            cur.appendCodePoint(c);
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }
}
