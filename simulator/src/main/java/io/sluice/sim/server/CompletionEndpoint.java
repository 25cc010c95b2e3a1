package io.sluice.sim.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.sim.engine.OutputLengths;
import io.sluice.sim.engine.Sequence;
import io.sluice.sim.text.ChatTemplate;
import io.sluice.sim.text.PromptTokenizer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST /v1/chat/completions and /v1/completions: parse, tokenize off the event loop, check the
 * request against the context length as vLLM does, and hand the sequence to the engine.
 */
final class CompletionEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();

    private final Vertx vertx;
    private final EngineDriver driver;
    private final EngineOptions options;
    private final PromptTokenizer tokenizer;
    private final OutputLengths outputLengths;
    private final SplittableRandom dropRandom;
    private final FaultCounts injected;
    /** What structured outputs say (tool arguments, JSON documents); used on the event loop only. */
    private final SplittableRandom contentRandom;

    CompletionEndpoint(Vertx vertx, EngineDriver driver, EngineOptions options, PromptTokenizer tokenizer,
                       OutputLengths outputLengths, SplittableRandom dropRandom, FaultCounts injected) {
        this.dropRandom = dropRandom;
        this.injected = injected;
        this.vertx = vertx;
        this.driver = driver;
        this.options = options;
        this.tokenizer = tokenizer;
        this.outputLengths = outputLengths;
        this.contentRandom = new SplittableRandom(options.seed() ^ 0x632BE59BD9B4E019L);
    }

    void handle(RoutingContext ctx, boolean chat) {
        HttpServerResponse response = ctx.response();
        JsonNode body = OpenAiErrors.servedModelBody(ctx, JSON, options);
        if (body == null) {
            return;
        }
        String model = body.path("model").asText(options.model());
        Integer maxTokens = maxTokens(body);
        if (maxTokens != null && maxTokens < 1) {
            OpenAiErrors.badRequest(response, "max_tokens must be at least 1, got " + maxTokens + ".", "max_tokens");
            return;
        }
        Generation generation;
        try {
            generation = Generation.parse(body, chat);
        } catch (Generation.Invalid e) {
            OpenAiErrors.badRequest(response, e.getMessage(), e.param);
            return;
        }
        Integer natural = naturalLength(ctx.request());
        boolean stream = body.path("stream").asBoolean(false);
        JsonNode so = body.path("stream_options");
        boolean includeUsage = stream && so.path("include_usage").asBoolean(false);
        boolean continuousUsage = stream && includeUsage && so.path("continuous_usage_stats").asBoolean(false);
        vertx.<int[]>executeBlocking(() -> promptIds(body, chat), false).onComplete(ar -> {
            if (ar.failed()) {
                OpenAiErrors.badRequest(response, ar.cause().getMessage(), chat ? "messages" : "prompt");
                return;
            }
            if (response.closed()) {
                return;
            }
            submit(response, ar.result(), model, chat, stream, includeUsage, continuousUsage, maxTokens, natural,
                    generation);
        });
    }

    private void submit(HttpServerResponse response, int[] prompt, String model, boolean chat, boolean stream,
                        boolean includeUsage, boolean continuousUsage, Integer maxTokens, Integer natural,
                        Generation generation) {
        int maxModelLen = options.engine().maxModelLen();
        if (prompt.length >= maxModelLen) {
            OpenAiErrors.badRequest(response, "This model's maximum context length is " + maxModelLen
                    + " tokens. However, your request has " + prompt.length
                    + " input tokens. Please reduce the length of the input messages.", null);
            return;
        }
        if (maxTokens != null && prompt.length + maxTokens > maxModelLen) {
            OpenAiErrors.badRequest(response, "'max_tokens' or 'max_completion_tokens' is too large: " + maxTokens
                    + ". This model's maximum context length is " + maxModelLen + " tokens and your request has "
                    + prompt.length + " input tokens (" + maxTokens + " > " + maxModelLen + " - " + prompt.length
                    + ").", null);
            return;
        }
        if (prompt.length == 0) {
            OpenAiErrors.badRequest(response, "The prompt cannot be empty.", chat ? "messages" : "prompt");
            return;
        }
        String id = (chat ? "chatcmpl-" : "cmpl-") + Long.toHexString(IDS.incrementAndGet());
        String lora = model.equals(options.model()) ? null : model;
        // One sequence per choice, as vLLM's parallel sampling: each holds the prompt (shared
        // through the prefix cache) and its own output.
        List<ChoiceOutput> outputs = new ArrayList<>();
        List<Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < generation.n(); i++) {
            ChoiceOutput output = generation.output(i, contentRandom);
            Integer fixed = output.naturalLength();
            int naturalLength = fixed != null ? fixed : natural != null ? natural : outputLengths.next();
            OutputLengths.Limit limit = OutputLengths.limit(naturalLength, maxTokens);
            outputs.add(output);
            seqs.add(new Sequence(i == 0 ? id : id + "-" + i, prompt, limit.tokens(), limit.reason(), lora,
                    driver.modelNow()));
        }
        int dropAfter = options.faults().dropAfterTokens();
        if (options.faults().dropRate() > 0 && dropRandom.nextDouble() < options.faults().dropRate()) {
            dropAfter = 1 + dropRandom.nextInt(8);
        }
        boolean injectedDrop = dropAfter != options.faults().dropAfterTokens();
        Runnable abortAll = () -> seqs.forEach(seq -> driver.abort(seq.id()));
        ResponseSink sink = new ResponseSink(response, id, model, chat, stream, includeUsage, continuousUsage,
                prompt.length, dropAfter, () -> {
                    if (injectedDrop) {
                        injected.drops.incrementAndGet();
                    }
                    abortAll.run();
                    response.reset();
                }, options.lineEnd(), generation.logprobs(), outputs);
        response.closeHandler(v -> abortAll.run());
        sink.start();
        for (int i = 0; i < seqs.size(); i++) {
            driver.submit(seqs.get(i), sink.choice(i));
        }
    }

    private int[] promptIds(JsonNode body, boolean chat) {
        if (chat) {
            JsonNode messages = body.path("messages");
            if (!messages.isArray() || messages.isEmpty()) {
                throw new IllegalArgumentException("'messages' must be a non-empty array");
            }
            return tokenizer.encode(ChatTemplate.render(messages, body.path("tools"), true));
        }
        JsonNode prompt = body.path("prompt");
        if (prompt.isTextual()) {
            return tokenizer.encode(prompt.asText());
        }
        if (prompt.isArray() && prompt.size() > 0 && prompt.get(0).isInt()) {
            int[] ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = prompt.get(i).asInt();
            }
            return ids;
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            return tokenizer.encode(prompt.get(0).asText());
        }
        throw new IllegalArgumentException("'prompt' must be a string, a one-element list of strings or a list of token ids");
    }

    private static Integer maxTokens(JsonNode body) {
        JsonNode n = body.path("max_completion_tokens");
        if (!n.isNumber()) {
            n = body.path("max_tokens");
        }
        return n.isNumber() ? n.asInt() : null;
    }

    private static Integer naturalLength(HttpServerRequest request) {
        String header = request.getHeader("x-sim-output-tokens");
        if (header == null) {
            return null;
        }
        try {
            return Math.max(1, Integer.parseInt(header.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
