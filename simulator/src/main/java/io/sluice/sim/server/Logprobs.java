package io.sluice.sim.server;

import io.sluice.sim.text.OutputText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Synthetic per-token logprobs in vLLM's two shapes: chat's {@code {"content":[{token, logprob,
 * bytes, top_logprobs}]}} and completions' parallel arrays {@code tokens}, {@code token_logprobs},
 * {@code top_logprobs} (a map per token), {@code text_offset}. The sampled token is the most
 * likely one; alternatives are other words with lower logprobs.
 */
final class Logprobs {
    private Logprobs() {
    }

    /** The sampled token's logprob: deterministic by position, in (-1, 0). */
    static double sampled(int index) {
        return -((index * 2654435761L) % 997) / 1000.0 - 0.001;
    }

    private static String alternative(int index, int rank) {
        String word = OutputText.token(index + 3 * rank + 1);
        return rank < 10 ? word : word + rank;
    }

    private static double alternativeLogprob(int index, int rank) {
        return sampled(index) - 1.5 * rank;
    }

    /** One entry of chat's {@code logprobs.content}. */
    static JsonObject chatEntry(String token, int index, int top) {
        JsonArray alternatives = new JsonArray();
        if (top > 0) {
            alternatives.add(entry(token, sampled(index)));
            for (int rank = 1; rank < top; rank++) {
                alternatives.add(entry(alternative(index, rank), alternativeLogprob(index, rank)));
            }
        }
        return entry(token, sampled(index)).put("top_logprobs", alternatives);
    }

    private static JsonObject entry(String token, double logprob) {
        JsonArray bytes = new JsonArray();
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return new JsonObject().put("token", token).put("logprob", logprob).put("bytes", bytes);
    }

    /** Completions' logprobs object, to which {@link #addCompletionToken} appends. */
    static JsonObject completion() {
        return new JsonObject().put("text_offset", new JsonArray()).put("token_logprobs", new JsonArray())
                .put("tokens", new JsonArray()).put("top_logprobs", new JsonArray());
    }

    static void addCompletionToken(JsonObject logprobs, String token, int index, int top, int offset) {
        logprobs.getJsonArray("text_offset").add(offset);
        logprobs.getJsonArray("token_logprobs").add(sampled(index));
        logprobs.getJsonArray("tokens").add(token);
        JsonObject alternatives = new JsonObject().put(token, sampled(index));
        for (int rank = 1; rank < top; rank++) {
            alternatives.put(alternative(index, rank), alternativeLogprob(index, rank));
        }
        logprobs.getJsonArray("top_logprobs").add(alternatives);
    }
}
