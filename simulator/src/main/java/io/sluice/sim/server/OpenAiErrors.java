package io.sluice.sim.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Errors in the OpenAI shape vLLM answers with: {"error":{"message","type","param","code"}}. */
final class OpenAiErrors {
    private OpenAiErrors() {
    }

    static JsonObject body(int status, String type, String message, String param) {
        return new JsonObject().put("error", new JsonObject()
                .put("message", message)
                .put("type", type)
                .put("param", param)
                .put("code", status));
    }

    static void send(HttpServerResponse response, int status, String type, String message, String param) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(body(status, type, message, param).encode());
    }

    static void badRequest(HttpServerResponse response, String message, String param) {
        send(response, 400, "BadRequestError", message, param);
    }

    /**
     * The request's JSON object body, for a model this engine serves; null after answering the
     * error vLLM gives (400 for a body that is not a JSON object, 404 for another model).
     */
    static JsonNode servedModelBody(RoutingContext ctx, ObjectMapper json, EngineOptions options) {
        HttpServerResponse response = ctx.response();
        JsonNode body;
        try {
            body = json.readTree(ctx.body().buffer() == null ? "" : ctx.body().asString());
        } catch (Exception e) {
            badRequest(response, "Invalid JSON body: " + e.getMessage(), null);
            return null;
        }
        if (body == null || !body.isObject()) {
            badRequest(response, "Request body must be a JSON object", null);
            return null;
        }
        String model = body.path("model").asText(options.model());
        if (!ModelNames.served(options, model)) {
            send(response, 404, "NotFoundError", "The model `" + model + "` does not exist.", "model");
            return null;
        }
        return body;
    }
}
