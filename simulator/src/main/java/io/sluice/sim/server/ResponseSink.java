package io.sluice.sim.server;

import io.sluice.sim.engine.FinishReason;
import io.sluice.sim.text.OutputText;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Writes one request's tokens to its HTTP response as they are produced: SSE chunks for a
 * stream (vLLM's chunk shapes, usage chunk with empty choices when include_usage is set, then
 * {@code data: [DONE]}), each event ended by an empty line in the line end configured; or one
 * JSON body at the end otherwise.
 */
final class ResponseSink implements EngineDriver.Sink {
    private final HttpServerResponse response;
    private final String id;
    private final String model;
    private final boolean chat;
    private final boolean stream;
    private final boolean includeUsage;
    private final boolean continuousUsage;
    private final int promptTokens;
    private final int dropAfterTokens;
    private final Runnable onDrop;
    /** Ends an event: its data line's end and the empty line after it. */
    private final String eventEnd;
    private final long created = System.currentTimeMillis() / 1000;
    private final StringBuilder text = new StringBuilder();

    ResponseSink(HttpServerResponse response, String id, String model, boolean chat, boolean stream,
                 boolean includeUsage, boolean continuousUsage, int promptTokens, int dropAfterTokens, Runnable onDrop,
                 EngineOptions.LineEnd lineEnd) {
        this.response = response;
        this.id = id;
        this.model = model;
        this.chat = chat;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.continuousUsage = continuousUsage;
        this.promptTokens = promptTokens;
        this.dropAfterTokens = dropAfterTokens;
        this.onDrop = onDrop;
        this.eventEnd = lineEnd.chars() + lineEnd.chars();
    }

    /** Sends the SSE headers; called once the request is accepted by the engine. */
    void start() {
        if (stream) {
            response.setChunked(true)
                    .putHeader("content-type", "text/event-stream; charset=utf-8")
                    .putHeader("cache-control", "no-cache");
            response.writeHead();
        }
    }

    @Override
    public void onToken(int index, long modelNanos) {
        if (response.closed() || response.ended()) {
            return;
        }
        String piece = OutputText.token(index);
        if (stream) {
            if (index == 0 && chat) {
                send(chunk(new JsonObject().put("role", "assistant").put("content", ""), null, null, null));
            }
            JsonObject u = continuousUsage ? usage(index + 1) : null;
            send(chat ? chunk(new JsonObject().put("content", piece), null, null, u) : chunk(null, piece, null, u));
        } else {
            text.append(piece);
        }
        if (dropAfterTokens > 0 && index + 1 >= dropAfterTokens) {
            onDrop.run();
        }
    }

    @Override
    public void onFinish(FinishReason reason, int outputTokens, long modelNanos) {
        if (response.closed() || response.ended()) {
            return;
        }
        if (stream) {
            send(chunk(chat ? new JsonObject() : null, chat ? null : "", reason.wire(),
                    continuousUsage ? usage(outputTokens) : null));
            if (includeUsage) {
                send(base(chat ? "chat.completion.chunk" : "text_completion")
                        .put("choices", new JsonArray()).put("usage", usage(outputTokens)));
            }
            response.end("data: [DONE]" + eventEnd);
            return;
        }
        JsonObject choice = new JsonObject().put("index", 0);
        if (chat) {
            choice.put("message", new JsonObject().put("role", "assistant").put("content", text.toString())
                    .put("tool_calls", new JsonArray()));
        } else {
            choice.put("text", text.toString());
        }
        choice.put("logprobs", (Object) null).put("finish_reason", reason.wire()).put("stop_reason", (Object) null);
        JsonObject body = base(chat ? "chat.completion" : "text_completion")
                .put("choices", new JsonArray().add(choice)).put("usage", usage(outputTokens));
        response.putHeader("content-type", "application/json").end(body.encode());
    }

    /** One SSE chunk: a chat delta, or a completion text piece. */
    private JsonObject chunk(JsonObject delta, String piece, String finishReason, JsonObject usage) {
        JsonObject choice = new JsonObject().put("index", 0);
        if (chat) {
            choice.put("delta", delta);
        } else {
            choice.put("text", piece);
        }
        choice.put("logprobs", (Object) null).put("finish_reason", finishReason);
        if (!chat) {
            choice.put("stop_reason", (Object) null);
        }
        JsonObject c = base(chat ? "chat.completion.chunk" : "text_completion").put("choices", new JsonArray().add(choice));
        if (usage != null) {
            c.put("usage", usage);
        }
        return c;
    }

    private JsonObject base(String object) {
        return new JsonObject().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private JsonObject usage(int completion) {
        return new JsonObject().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens + completion)
                .put("completion_tokens", completion).put("prompt_tokens_details", (Object) null);
    }

    private void send(JsonObject chunk) {
        response.write("data: " + chunk.encode() + eventEnd);
    }
}
