package io.sluice.sim.text;

/**
 * The fallback when no tokenizer file is given: one token per four Unicode code points (the
 * estimate routers use), each token id derived from the code points it covers, so equal text
 * prefixes give equal ids and prefix caching still works.
 */
public final class PseudoTokenizer implements PromptTokenizer {
    private static final int CHUNK = 4;
    private static final int VOCAB = 151_643;

    @Override
    public int[] encode(String text) {
        int codePoints = text.codePointCount(0, text.length());
        int[] ids = new int[(codePoints + CHUNK - 1) / CHUNK];
        int offset = 0;
        for (int t = 0; t < ids.length; t++) {
            int h = 17;
            for (int k = 0; k < CHUNK && offset < text.length(); k++) {
                int cp = text.codePointAt(offset);
                offset += Character.charCount(cp);
                h = h * 31 + cp;
            }
            ids[t] = Math.floorMod(h * 0x9E3779B1, VOCAB);
        }
        return ids;
    }

    @Override
    public String describe() {
        return "code points / 4";
    }
}
