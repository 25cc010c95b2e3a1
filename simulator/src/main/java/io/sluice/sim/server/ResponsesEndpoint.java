package io.sluice.sim.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sluice.sim.engine.FinishReason;
import io.sluice.sim.engine.OutputLengths;
import io.sluice.sim.engine.Sequence;
import io.sluice.sim.text.ChatTemplate;
import io.sluice.sim.text.OutputText;
import io.sluice.sim.text.PromptTokenizer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST /v1/responses, in the shape vLLM serves OpenAI's Responses API: the request becomes chat
 * messages ({@code instructions} the system message, {@code input} a string or items), is
 * tokenized off the event loop and handed to the engine; the answer is one {@code response}
 * object, or a stream of typed events ({@code event:} and {@code data:} lines: {@code
 * response.created}, ..., {@code response.output_text.delta} per token, ..., {@code
 * response.completed} with the usage), with no {@code [DONE]}. Nothing is stored.
 */
final class ResponsesEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();

    private final Vertx vertx;
    private final EngineDriver driver;
    private final EngineOptions options;
    private final PromptTokenizer tokenizer;
    private final OutputLengths outputLengths;

    ResponsesEndpoint(Vertx vertx, EngineDriver driver, EngineOptions options, PromptTokenizer tokenizer,
                      OutputLengths outputLengths) {
        this.vertx = vertx;
        this.driver = driver;
        this.options = options;
        this.tokenizer = tokenizer;
        this.outputLengths = outputLengths;
    }

    void handle(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        JsonNode body = OpenAiErrors.servedModelBody(ctx, JSON, options);
        if (body == null) {
            return;
        }
        String model = body.path("model").asText(options.model());
        JsonNode max = body.path("max_output_tokens");
        Integer maxTokens = max.isNumber() ? max.asInt() : null;
        if (maxTokens != null && maxTokens < 1) {
            OpenAiErrors.badRequest(response, "max_output_tokens must be at least 1.", "max_output_tokens");
            return;
        }
        String header = ctx.request().getHeader("x-sim-output-tokens");
        Integer natural = null;
        try {
            natural = header == null ? null : Math.max(1, Integer.parseInt(header.trim()));
        } catch (NumberFormatException e) {
            // not a number: the configured lengths decide
        }
        boolean stream = body.path("stream").asBoolean(false);
        Integer naturalLength = natural;
        vertx.<int[]>executeBlocking(() -> tokenizer.encode(ChatTemplate.render(messages(body), true)), false)
            .onComplete(ar -> {
                if (ar.failed()) {
                    OpenAiErrors.badRequest(response, ar.cause().getMessage(), "input");
                } else if (!response.closed()) {
                    submit(response, body, ar.result(), model, stream, maxTokens, naturalLength);
                }
            });
    }

    /** Instructions and input as chat messages, as vLLM builds them before its chat template. */
    static ArrayNode messages(JsonNode body) {
        ArrayNode messages = JsonNodeFactory.instance.arrayNode();
        if (body.path("instructions").isTextual()) {
            messages.addObject().put("role", "system").put("content", body.path("instructions").asText());
        }
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                String type = item.path("type").asText("message");
                if (item.has("role")) {
                    messages.addObject().put("role", item.path("role").asText()).set("content", item.path("content"));
                } else if (type.equals("function_call")) {
                    messages.addObject().put("role", "assistant").put("content", item.path("arguments").asText(""));
                } else if (type.equals("function_call_output")) {
                    messages.addObject().put("role", "tool").put("content", item.path("output").asText(""));
                }
            }
        } else {
            throw new IllegalArgumentException("'input' must be a string or a non-empty list of input items");
        }
        return messages;
    }

    private void submit(HttpServerResponse response, JsonNode body, int[] prompt, String model, boolean stream,
                        Integer maxTokens, Integer natural) {
        int maxModelLen = options.engine().maxModelLen();
        if (prompt.length >= maxModelLen || (maxTokens != null && prompt.length + maxTokens > maxModelLen)) {
            OpenAiErrors.badRequest(response, "This model's maximum context length is " + maxModelLen
                    + " tokens. However, your request has " + prompt.length + " input tokens"
                    + (maxTokens == null ? "" : " and asks for " + maxTokens + " output tokens") + ".", null);
            return;
        }
        OutputLengths.Limit limit = OutputLengths.limit(natural != null ? natural : outputLengths.next(), maxTokens);
        String id = "resp_" + Long.toHexString(IDS.incrementAndGet());
        String lora = model.equals(options.model()) ? null : model;
        Sequence seq = new Sequence(id, prompt, limit.tokens(), limit.reason(), lora, driver.modelNow());
        Sink sink = new Sink(response, id, model, body, stream, prompt.length, options.lineEnd().chars());
        response.closeHandler(v -> driver.abort(id));
        sink.start();
        driver.submit(seq, sink);
    }

    /** Writes one response: events as tokens come for a stream, else the response object at the end. */
    private static final class Sink implements EngineDriver.Sink {
        private final HttpServerResponse response;
        private final String id;
        private final String messageId;
        private final String model;
        private final JsonNode request;
        private final boolean stream;
        private final int promptTokens;
        private final String lineEnd;
        private final long created = System.currentTimeMillis() / 1000;
        private final StringBuilder text = new StringBuilder();
        private int sequence;

        Sink(HttpServerResponse response, String id, String model, JsonNode request, boolean stream, int promptTokens,
             String lineEnd) {
            this.response = response;
            this.id = id;
            this.messageId = "msg_" + id.substring("resp_".length());
            this.model = model;
            this.request = request;
            this.stream = stream;
            this.promptTokens = promptTokens;
            this.lineEnd = lineEnd;
        }

        void start() {
            if (!stream) {
                return;
            }
            response.setChunked(true)
                    .putHeader("content-type", "text/event-stream; charset=utf-8")
                    .putHeader("cache-control", "no-cache");
            response.writeHead();
            JsonObject inProgress = response("in_progress", new JsonArray(), null, null);
            send("response.created", new JsonObject().put("response", inProgress));
            send("response.in_progress", new JsonObject().put("response", inProgress));
            send("response.output_item.added", new JsonObject().put("output_index", 0)
                    .put("item", message("in_progress", new JsonArray())));
            send("response.content_part.added", part().put("part", textPart("")));
        }

        @Override
        public void onToken(int index, long modelNanos) {
            if (response.closed() || response.ended()) {
                return;
            }
            String piece = OutputText.token(index);
            text.append(piece);
            if (stream) {
                send("response.output_text.delta", part().put("delta", piece).put("logprobs", new JsonArray()));
            }
        }

        @Override
        public void onFinish(FinishReason reason, int outputTokens, long modelNanos) {
            if (response.closed() || response.ended()) {
                return;
            }
            boolean cut = reason.wire().equals("length");
            JsonObject message = message("completed", new JsonArray().add(textPart(text.toString())));
            JsonObject done = response(cut ? "incomplete" : "completed", new JsonArray().add(message),
                    cut ? new JsonObject().put("reason", "max_output_tokens") : null, usage(outputTokens));
            if (!stream) {
                response.putHeader("content-type", "application/json").end(done.encode());
                return;
            }
            send("response.output_text.done", part().put("text", text.toString()).put("logprobs", new JsonArray()));
            send("response.content_part.done", part().put("part", textPart(text.toString())));
            send("response.output_item.done", new JsonObject().put("output_index", 0).put("item", message));
            send("response.completed", new JsonObject().put("response", done));
            response.end();
        }

        private JsonObject response(String status, JsonArray output, JsonObject incomplete, JsonObject usage) {
            JsonNode maxOutput = request.path("max_output_tokens");
            return new JsonObject().put("id", id).put("object", "response").put("created_at", created)
                    .put("model", model).put("status", status).put("output", output)
                    .put("instructions", request.path("instructions").isTextual()
                            ? request.path("instructions").asText() : null)
                    .put("max_output_tokens", maxOutput.isNumber() ? maxOutput.asInt() : null)
                    .put("error", (Object) null).put("incomplete_details", incomplete)
                    .put("metadata", new JsonObject()).put("parallel_tool_calls", true)
                    .put("temperature", 1.0).put("top_p", 1.0).put("tool_choice", "auto")
                    .put("tools", new JsonArray()).put("previous_response_id", (Object) null)
                    .put("text", new JsonObject().put("format", new JsonObject().put("type", "text")))
                    .put("truncation", "disabled").put("usage", usage);
        }

        private JsonObject message(String status, JsonArray content) {
            return new JsonObject().put("id", messageId).put("type", "message").put("role", "assistant")
                    .put("status", status).put("content", content);
        }

        private static JsonObject textPart(String text) {
            return new JsonObject().put("type", "output_text").put("text", text)
                    .put("annotations", new JsonArray()).put("logprobs", new JsonArray());
        }

        private JsonObject part() {
            return new JsonObject().put("item_id", messageId).put("output_index", 0).put("content_index", 0);
        }

        private JsonObject usage(int output) {
            return new JsonObject().put("input_tokens", promptTokens)
                    .put("input_tokens_details", new JsonObject().put("cached_tokens", 0))
                    .put("output_tokens", output)
                    .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
                    .put("total_tokens", promptTokens + output);
        }

        private void send(String type, JsonObject event) {
            event.put("type", type).put("sequence_number", sequence++);
            response.write("event: " + type + lineEnd + "data: " + event.encode() + lineEnd + lineEnd);
        }
    }
}
