package io.sluice.router.proxy;

import io.sluice.router.api.ApiKind;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.runtime.PoolDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.sluice.router.metrics.RouterMetrics;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client-facing routes: the OpenAI API, and OpenAI-format errors for everything else. */
public final class DataPlane {
  private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);
  private DataPlane() {}

  public static Router router(Vertx vertx, ProxyHandler proxy, ClientLimits limits, AccessLog accessLog,
      OverloadGuard overload, RouterMetrics metrics, PoolDirectory models, RouterSettings settings, BooleanSupplier draining,
      long createdEpochSeconds) {
    Router router = Router.router(vertx);
    router.route().handler(accessLog::handle);
    router.route().handler(limits::requestStarted);
    router.route().handler(ctx -> {
      if (draining.getAsBoolean()) {
        ctx.response().putHeader("connection", "close");
        ProxyHandler.sendError(ctx, OpenAiError.shuttingDown());
      } else {
        ctx.next();
      }
    });
    if (settings.cors().enabled()) {
      // Before authentication: a preflight carries no key, and is answered here (204) without admission.
      router.route().handler(cors(settings.cors()));
    }
    BodyReader bodies = new BodyReader(settings.maxBodyBytes(), overload, metrics);
    Handler<RoutingContext> body = bodies::handle;
    // A platform handler may run before the body handler: keys are checked before a body is read.
    PlatformHandler authenticate = proxy::authenticate;
    for (ApiKind kind : ApiKind.values()) {
      router.post(kind.path()).handler(authenticate).handler(body).handler(ctx -> proxy.handle(ctx, kind));
    }
    // Stored responses live on the engine that made them: not routed, and said so (docs/operations.md).
    Handler<RoutingContext> stored = ctx -> ProxyHandler.sendError(ctx,
        OpenAiError.storedResponsesUnsupported(ctx.request().method().name(), ctx.request().path()));
    router.get("/v1/responses/:id").handler(authenticate).handler(stored);
    router.delete("/v1/responses/:id").handler(authenticate).handler(stored);
    router.post("/v1/responses/:id/cancel").handler(authenticate).handler(stored);
    router.get("/v1/responses/:id/input_items").handler(authenticate).handler(stored);
    router.get("/v1/models").handler(authenticate).handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json")
        .end(modelList(models, createdEpochSeconds).encode()));
    // The SDKs' models.retrieve; a model id may hold slashes (org/name), hence the regex.
    router.getWithRegex("/v1/models/(?<id>.+)").handler(authenticate).handler(ctx -> {
      String id = ctx.pathParam("id");
      if (models.forModel(id) == null) {
        ProxyHandler.sendError(ctx, OpenAiError.modelNotFound(id));
        return;
      }
      ctx.response().putHeader("content-type", "application/json")
          .end(model(models, id, createdEpochSeconds).encode());
    });

    router.errorHandler(413, ctx -> ProxyHandler.sendError(ctx, OpenAiError.bodyTooLarge(settings.maxBodyBytes())));
    router.errorHandler(403, ctx -> ProxyHandler.sendError(ctx, OpenAiError.originNotAllowed(
        ctx.request().getHeader("origin"))));
    router.errorHandler(404, ctx -> ProxyHandler.sendError(ctx,
        OpenAiError.routeNotFound(ctx.request().method().name(), ctx.request().path())));
    router.errorHandler(405, ctx -> ProxyHandler.sendError(ctx,
        OpenAiError.methodNotAllowed(ctx.request().method().name(), ctx.request().path())));
    router.errorHandler(500, ctx -> {
      LOG.error("failed to handle {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      ProxyHandler.sendError(ctx, OpenAiError.internal());
    });
    return router;
  }

  /** Vert.x Web's CORS handler, configured from the settings; it refuses a listed-out origin with 403. */
  static CorsHandler cors(RouterSettings.Cors cors) {
    CorsHandler handler = CorsHandler.create()
        .addOrigins(cors.allowedOrigins())
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
        .exposedHeaders(new LinkedHashSet<>(cors.exposedHeaders()))
        .maxAgeSeconds(cors.maxAgeSeconds())
        .allowCredentials(false);
    if (!cors.allowedHeaders().isEmpty()) {
      handler.allowedHeaders(new LinkedHashSet<>(cors.allowedHeaders()));
    }
    return handler;
  }

  /** The union of configured models, in OpenAI's list format. */
  static JsonObject modelList(PoolDirectory models, long created) {
    JsonArray data = new JsonArray();
    for (String model : models.models()) {
      data.add(model(models, model, created));
    }
    return new JsonObject().put("object", "list").put("data", data);
  }

  /** One configured model, in OpenAI's model format. */
  static JsonObject model(PoolDirectory models, String model, long created) {
    return new JsonObject()
        .put("id", model)
        .put("object", "model")
        .put("created", created)
        .put("owned_by", "sluice:" + models.forModel(model).name());
  }
}
