package io.sluice.sim.server;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

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
}
