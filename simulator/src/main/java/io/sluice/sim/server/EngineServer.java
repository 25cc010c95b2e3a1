package io.sluice.sim.server;

import io.sluice.sim.engine.OutputLengths;
import io.sluice.sim.text.HfTokenizer;
import io.sluice.sim.text.PromptTokenizer;
import io.sluice.sim.text.PseudoTokenizer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One emulated engine: an OpenAI-compatible HTTP server in front of an {@link EngineDriver}.
 * Deployed as a single verticle, so HTTP handlers, timers and the model share one context.
 */
public final class EngineServer extends VerticleBase {
    private final EngineOptions options;
    private final PromptTokenizer tokenizer;
    private EngineDriver driver;
    private HttpServer server;
    private long startedAtMillis;
    private SplittableRandom faultRandom;
    private final FaultCounts injected = new FaultCounts();
    private final AtomicLong apiRequests = new AtomicLong();

    public EngineServer(EngineOptions options) {
        this.options = options;
        this.tokenizer = options.tokenizer() == null ? new PseudoTokenizer() : new HfTokenizer(options.tokenizer());
    }

    /** Deploys a server on {@code vertx}; the future completes once it listens. */
    public static Future<EngineServer> deploy(Vertx vertx, EngineOptions options) {
        EngineServer s = new EngineServer(options);
        return vertx.deployVerticle(s).map(id -> s);
    }

    @Override
    public Future<?> start() {
        startedAtMillis = System.currentTimeMillis();
        faultRandom = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        driver = new EngineDriver(vertx, options.engine(), options.timeScale());
        OutputLengths lengths = OutputLengths.parse(options.outputLengths(), options.engine().maxModelLen(), options.seed());
        CompletionEndpoint completions = new CompletionEndpoint(vertx, driver, options, tokenizer, lengths,
                new SplittableRandom(options.seed() ^ 0x2545F4914F6CDD1DL), injected);
        AuxEndpoints aux = new AuxEndpoints(vertx, options, tokenizer);
        MetricsExporter metrics = new MetricsExporter(options.model(), options.flavor());

        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(64L * 1024 * 1024));
        router.get("/health").handler(ctx -> ctx.response().setStatusCode(starting() ? 503 : 200).end());
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.render(driver)));
        router.get("/version").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("version", "sluice-sim")));
        router.route("/v1/*").handler(this::faults);
        router.get("/v1/models").handler(ctx -> ctx.json(ModelNames.list(options, startedAtMillis / 1000)));
        router.post("/v1/chat/completions").handler(ctx -> completions.handle(ctx, true));
        router.post("/v1/completions").handler(ctx -> completions.handle(ctx, false));
        router.post("/v1/embeddings").handler(aux::embeddings);
        ResponsesEndpoint responses = new ResponsesEndpoint(vertx, driver, options, tokenizer, lengths);
        router.post("/v1/responses").handler(responses::handle);
        router.post("/tokenize").handler(aux::tokenize);
        router.post("/v1/tokenize").handler(aux::tokenize);

        server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port()));
        if (options.faults().refuseConnections()) {
            server.connectionHandler(conn -> conn.close());
        } else if (options.faults().refuseRate() > 0) {
            SplittableRandom refusals = new SplittableRandom(options.seed() ^ 0x9E3779B97F4A7C15L);
            server.connectionHandler(conn -> {
                if (refusals.nextDouble() < options.faults().refuseRate()) {
                    injected.refused.incrementAndGet();
                    conn.close();
                }
            });
        }
        return server.requestHandler(router).listen();
    }

    private boolean starting() {
        return System.currentTimeMillis() - startedAtMillis < options.faults().slowStartMs();
    }

    private void faults(RoutingContext ctx) {
        apiRequests.incrementAndGet();
        Faults f = options.faults();
        if (starting()) {
            OpenAiErrors.send(ctx.response(), 503, "ServiceUnavailableError", "The engine is still starting.", null);
            return;
        }
        if (f.errorRate() > 0 && faultRandom.nextDouble() < f.errorRate()) {
            injected.errors.incrementAndGet();
            OpenAiErrors.send(ctx.response(), 500, "InternalServerError", "Injected fault: engine error.", null);
            return;
        }
        if (f.stallRate() > 0 && faultRandom.nextDouble() < f.stallRate()) {
            injected.stalls.incrementAndGet();
            return; // never answered; the connection stays open until the client gives up
        }
        if (f.addedLatencyMs() > 0) {
            vertx.setTimer(f.addedLatencyMs(), id -> ctx.next());
        } else {
            ctx.next();
        }
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.actualPort();
    }

    /**
     * Requests received on the API ({@code /v1/...}) so far, answered or not (503s while starting
     * and injected faults included): what a proxy in front actually sent here.
     */
    public long apiRequests() {
        return apiRequests.get();
    }

    /** How many faults this engine has injected so far. */
    public FaultCounts injected() {
        return injected;
    }

    public EngineOptions options() {
        return options;
    }
}
