package io.sluice.sim.server;

import io.sluice.sim.text.ChatTemplate;
import io.sluice.sim.text.PromptTokenizer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;

/**
 * POST /tokenize (vLLM's shape) and POST /v1/embeddings (cheap deterministic vectors, as float
 * lists or, with {@code encoding_format: base64}, base64 of their float32 little-endian bytes).
 */
final class AuxEndpoints {
    static final int EMBEDDING_DIM = 32;

    private final Vertx vertx;
    private final EngineOptions options;
    private final PromptTokenizer tokenizer;

    AuxEndpoints(Vertx vertx, EngineOptions options, PromptTokenizer tokenizer) {
        this.vertx = vertx;
        this.options = options;
        this.tokenizer = tokenizer;
    }

    void tokenize(RoutingContext ctx) {
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        vertx.<int[]>executeBlocking(() -> {
            if (body.getValue("messages") instanceof JsonArray) {
                boolean addGen = body.getBoolean("add_generation_prompt", true);
                com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(body.encode());
                return tokenizer.encode(ChatTemplate.render(tree.path("messages"), tree.path("tools"), addGen));
            }
            if (body.getValue("prompt") instanceof String) {
                return tokenizer.encode(body.getString("prompt"));
            }
            throw new IllegalArgumentException("either 'prompt' or 'messages' is required");
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                OpenAiErrors.badRequest(ctx.response(), ar.cause().getMessage(), null);
                return;
            }
            JsonArray tokens = new JsonArray();
            for (int id : ar.result()) {
                tokens.add(id);
            }
            ctx.response().putHeader("content-type", "application/json").end(new JsonObject()
                    .put("count", ar.result().length)
                    .put("max_model_len", options.engine().maxModelLen())
                    .put("tokens", tokens)
                    .put("token_strs", (Object) null).encode());
        });
    }

    void embeddings(RoutingContext ctx) {
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        List<String> inputs = new ArrayList<>();
        Object input = body.getValue("input");
        if (input instanceof String s) {
            inputs.add(s);
        } else if (input instanceof JsonArray a && !a.isEmpty() && a.stream().allMatch(String.class::isInstance)) {
            a.forEach(o -> inputs.add((String) o));
        } else {
            OpenAiErrors.badRequest(ctx.response(), "'input' must be a string or a list of strings", "input");
            return;
        }
        String encoding = body.getString("encoding_format", "float");
        if (!encoding.equals("float") && !encoding.equals("base64")) {
            OpenAiErrors.badRequest(ctx.response(), "encoding_format must be 'float' or 'base64', got '" + encoding + "'",
                    "encoding_format");
            return;
        }
        vertx.<Integer>executeBlocking(() -> inputs.stream().mapToInt(s -> tokenizer.encode(s).length).sum(), false)
                .onComplete(ar -> {
                    JsonArray data = new JsonArray();
                    for (int i = 0; i < inputs.size(); i++) {
                        data.add(new JsonObject().put("object", "embedding").put("index", i)
                                .put("embedding", encoding.equals("base64")
                                        ? base64(vector(inputs.get(i))) : vector(inputs.get(i))));
                    }
                    int tokens = ar.succeeded() ? ar.result() : 0;
                    ctx.response().putHeader("content-type", "application/json").end(new JsonObject()
                            .put("object", "list").put("data", data)
                            .put("model", body.getString("model", options.model()))
                            .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens))
                            .encode());
                });
    }

    /** A unit vector seeded by the text's bytes: equal texts give equal vectors. */
    static JsonArray vector(String text) {
        long h = 1125899906842597L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        double[] v = new double[EMBEDDING_DIM];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            h ^= h << 13;
            h ^= h >>> 7;
            h ^= h << 17;
            v[i] = (h % 10_000) / 10_000.0;
            norm += v[i] * v[i];
        }
        JsonArray out = new JsonArray();
        for (double x : v) {
            out.add(norm == 0 ? 0 : x / Math.sqrt(norm));
        }
        return out;
    }

    /** As vLLM and OpenAI encode it: the float32 values, little-endian, base64. */
    static String base64(JsonArray vector) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * vector.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < vector.size(); i++) {
            bytes.putFloat(vector.getDouble(i).floatValue());
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static JsonObject jsonBody(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().asJsonObject();
            if (body == null) {
                throw new IllegalArgumentException("empty body");
            }
            return body;
        } catch (RuntimeException e) {
            OpenAiErrors.badRequest(ctx.response(), "Request body must be a JSON object", null);
            return null;
        }
    }
}
