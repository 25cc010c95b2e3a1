package io.sluice.sim.server;

import io.sluice.sim.engine.FinishReason;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one request's tokens to its HTTP response as they are produced: SSE chunks for a
 * stream (vLLM's chunk shapes, each choice's chunks carrying its index, usage chunk with empty
 * choices when include_usage is set, then {@code data: [DONE]} once every choice ended), each
 * event ended by an empty line in the line end configured; or one JSON body once every choice
 * ended otherwise. Each choice is one engine sequence ({@link #choice}); usage counts the prompt
 * once and the output tokens of all choices, as vLLM's does.
 */
final class ResponseSink {
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
    private final int topLogprobs;
    /** Ends an event: its data line's end and the empty line after it. */
    private final String eventEnd;
    private final long created = System.currentTimeMillis() / 1000;
    private final List<Choice> choices = new ArrayList<>();
    private int unfinished;

    ResponseSink(HttpServerResponse response, String id, String model, boolean chat, boolean stream,
                 boolean includeUsage, boolean continuousUsage, int promptTokens, int dropAfterTokens, Runnable onDrop,
                 EngineOptions.LineEnd lineEnd, int topLogprobs, List<ChoiceOutput> outputs) {
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
        this.topLogprobs = topLogprobs;
        this.eventEnd = lineEnd.chars() + lineEnd.chars();
        for (int i = 0; i < outputs.size(); i++) {
            choices.add(new Choice(i, outputs.get(i)));
        }
        this.unfinished = outputs.size();
    }

    /** The engine sink of choice {@code index}. */
    EngineDriver.Sink choice(int index) {
        return choices.get(index);
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

    private boolean gone() {
        return response.closed() || response.ended();
    }

    private int completionTokens() {
        return choices.stream().mapToInt(c -> c.tokens).sum();
    }

    private void allFinished() {
        if (stream) {
            if (includeUsage) {
                send(base(chat ? "chat.completion.chunk" : "text_completion")
                        .put("choices", new JsonArray()).put("usage", usage(completionTokens())));
            }
            response.end("data: [DONE]" + eventEnd);
            return;
        }
        JsonArray out = new JsonArray();
        choices.forEach(c -> out.add(c.whole()));
        JsonObject body = base(chat ? "chat.completion" : "text_completion")
                .put("choices", out).put("usage", usage(completionTokens()));
        response.putHeader("content-type", "application/json").end(body.encode());
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

    /** One choice: one engine sequence, its text so far and its logprobs. */
    private final class Choice implements EngineDriver.Sink {
        private final int index;
        private final ChoiceOutput output;
        private final StringBuilder text = new StringBuilder();
        private final JsonArray chatLogprobs = new JsonArray();
        private final JsonObject completionLogprobs = Logprobs.completion();
        private int tokens;
        private String finishReason;

        Choice(int index, ChoiceOutput output) {
            this.index = index;
            this.output = output;
        }

        private boolean toolCall() {
            return output.kind() == ChoiceOutput.Kind.TOOL_CALL;
        }

        @Override
        public void onToken(int token, long modelNanos) {
            if (gone()) {
                return;
            }
            tokens = token + 1;
            String piece = output.piece(token);
            JsonObject logprobs = logprobs(piece, token);
            if (stream) {
                if (token == 0 && chat) {
                    send(chunk(new JsonObject().put("role", "assistant").put("content", ""), null, null, null, null));
                }
                JsonObject u = continuousUsage ? usage(completionTokens()) : null;
                send(chat ? chunk(delta(token, piece), null, logprobs, null, u) : chunk(null, piece, logprobs, null, u));
            }
            text.append(piece);
            if (dropAfterTokens > 0 && token + 1 >= dropAfterTokens) {
                onDrop.run();
            }
        }

        private JsonObject delta(int token, String piece) {
            if (!toolCall()) {
                return new JsonObject().put("content", piece);
            }
            JsonObject call = new JsonObject().put("index", 0);
            if (token == 0) {
                call.put("id", output.toolCallId()).put("type", "function")
                        .put("function", new JsonObject().put("name", output.toolName()).put("arguments", ""));
            } else {
                call.put("function", new JsonObject().put("arguments", piece));
            }
            return new JsonObject().put("tool_calls", new JsonArray().add(call));
        }

        /** This token's logprobs: the whole object for a stream chunk; appended for the final body. */
        private JsonObject logprobs(String piece, int token) {
            if (topLogprobs < 0) {
                return null;
            }
            if (chat) {
                JsonObject entry = Logprobs.chatEntry(piece, token, topLogprobs);
                chatLogprobs.add(entry);
                return new JsonObject().put("content", new JsonArray().add(entry));
            }
            JsonObject one = Logprobs.completion();
            Logprobs.addCompletionToken(one, piece, token, topLogprobs, text.length());
            Logprobs.addCompletionToken(completionLogprobs, piece, token, topLogprobs, text.length());
            return one;
        }

        @Override
        public void onFinish(FinishReason reason, int outputTokens, long modelNanos) {
            if (gone()) {
                return;
            }
            tokens = outputTokens;
            finishReason = reason == FinishReason.STOP && toolCall() ? "tool_calls" : reason.wire();
            if (stream) {
                send(chunk(chat ? new JsonObject() : null, chat ? null : "", null, finishReason,
                        continuousUsage ? usage(completionTokens()) : null));
            }
            if (--unfinished == 0) {
                allFinished();
            }
        }

        /** This choice in a non-streamed body. */
        JsonObject whole() {
            JsonObject choice = new JsonObject().put("index", index);
            if (chat) {
                JsonObject message = new JsonObject().put("role", "assistant");
                // A tool call cut short does not parse: vLLM's parser then returns the raw text.
                if (toolCall() && "tool_calls".equals(finishReason)) {
                    message.put("content", (Object) null).put("tool_calls", new JsonArray().add(new JsonObject()
                            .put("id", output.toolCallId()).put("type", "function")
                            .put("function", new JsonObject().put("name", output.toolName())
                                    .put("arguments", text.toString()))));
                } else {
                    message.put("content", text.toString()).put("tool_calls", new JsonArray());
                }
                choice.put("message", message);
                choice.put("logprobs", topLogprobs < 0 ? null : new JsonObject().put("content", chatLogprobs));
            } else {
                choice.put("text", text.toString());
                choice.put("logprobs", topLogprobs < 0 ? null : completionLogprobs);
            }
            return choice.put("finish_reason", finishReason).put("stop_reason", (Object) null);
        }

        /** One SSE chunk of this choice: a chat delta, or a completion text piece. */
        private JsonObject chunk(JsonObject delta, String piece, JsonObject logprobs, String finish, JsonObject usage) {
            JsonObject choice = new JsonObject().put("index", index);
            if (chat) {
                choice.put("delta", delta);
            } else {
                choice.put("text", piece);
            }
            choice.put("logprobs", logprobs).put("finish_reason", finish);
            if (!chat) {
                choice.put("stop_reason", (Object) null);
            }
            JsonObject c = base(chat ? "chat.completion.chunk" : "text_completion")
                    .put("choices", new JsonArray().add(choice));
            if (usage != null) {
                c.put("usage", usage);
            }
            return c;
        }
    }
}
