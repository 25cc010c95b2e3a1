package io.sluice.router.admin;

import io.sluice.router.api.ApiException;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.api.RequestParser;
import io.sluice.router.runtime.Caller;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.PoolDirectory;
import io.sluice.router.runtime.TrafficClasses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /estimate[?api=completions|embeddings]}: the estimate the router would make for a body
 * exactly as a client would send it, so operators can check sizing. Nothing is reserved.
 */
final class EstimateRoute {
  private final PoolDirectory runtimes;
  private final TrafficClasses classes;

  EstimateRoute(PoolDirectory runtimes, TrafficClasses classes) {
    this.runtimes = runtimes;
    this.classes = classes;
  }

  /** The API of an {@code api} label whose cost is estimated from its JSON body (not audio: a flat cost). */
  static ApiKind estimated(String label) {
    for (ApiKind kind : ApiKind.values()) {
      if (kind.label().equals(label) && kind.admitted() && !kind.multipart()) {
        return kind;
      }
    }
    throw new ApiException(OpenAiError.badRequest("api",
        "api must be chat, completions, embeddings, responses, rerank, score, pooling or classify."));
  }

  void handle(RoutingContext ctx) {
    try {
      ApiKind kind = estimated(ctx.request().getParam("api", "chat"));
      Buffer body = ctx.body().buffer();
      InferenceRequest request = RequestParser.parse(kind, body == null ? new byte[0] : body.getBytes());
      PoolRuntime runtime = runtimes.forModel(request.model());
      if (runtime == null) {
        throw new ApiException(OpenAiError.modelNotFound(request.model()));
      }
      Caller caller = classes.resolve(name -> ctx.request().getHeader(name));
      String source = TrafficClasses.learningSource(
          classes.authenticate(name -> ctx.request().getHeader(name), io.sluice.router.config.RouterSettings.AuthMode.NONE),
          name -> ctx.request().getHeader(name),
          ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().host());
      runtime.estimator().estimate(request, source).whenComplete((cost, failure) ->
          ctx.vertx().runOnContext(v -> {
            if (failure != null) {
              ApiException refused = ApiException.in(failure);
              send(ctx, refused != null ? refused.error() : OpenAiError.internal());
              return;
            }
            ctx.json(new JsonObject()
                .put("pool", runtime.name())
                .put("trafficClass", caller.trafficClass())
                .put("tenant", caller.tenant())
                .put("promptTokens", cost.promptTokens())
                .put("outputTokens", cost.outputTokens())
                .put("reservationTokens", cost.reservationTokens())
                .put("source", new JsonObject().put("prompt", cost.promptSource()).put("output", cost.outputSource())));
          }));
    } catch (ApiException e) {
      send(ctx, e.error());
    }
  }

  private static void send(RoutingContext ctx, OpenAiError error) {
    ctx.response().setStatusCode(error.status()).putHeader("content-type", "application/json").end(error.toJson());
  }
}
