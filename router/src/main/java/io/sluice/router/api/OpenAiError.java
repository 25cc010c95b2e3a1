package io.sluice.router.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error as OpenAI's API reports it: {@code {"error":{"message","type","param","code"}}}, with
 * the HTTP status it goes out with. Every error the router itself produces is one of these.
 */
public record OpenAiError(int status, String type, String code, String param, String message) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String INVALID_REQUEST = "invalid_request_error";
  public static final String NOT_FOUND = "not_found_error";
  public static final String SERVER_ERROR = "server_error";
  public static final String UNAVAILABLE = "service_unavailable_error";
  public static final String RATE_LIMIT = "rate_limit_error";

  public static OpenAiError badRequest(String param, String message) {
    return new OpenAiError(400, INVALID_REQUEST, null, param, message);
  }

  /** 401, as OpenAI answers a missing or wrong API key. */
  public static OpenAiError invalidApiKey(String message) {
    return new OpenAiError(401, INVALID_REQUEST, "invalid_api_key", null, message);
  }

  /** 403: the caller is known but may not do this. */
  public static OpenAiError forbidden(String code, String param, String message) {
    return new OpenAiError(403, INVALID_REQUEST, code, param, message);
  }

  public static OpenAiError requestTimeout(long millis) {
    return new OpenAiError(408, INVALID_REQUEST, "request_timeout", null,
        "The request was not received in full within " + millis + " ms.");
  }

  public static OpenAiError headersTooLarge(int limit) {
    return new OpenAiError(431, INVALID_REQUEST, "headers_too_large", null,
        "The request line and headers are larger than the limit of " + limit + " bytes.");
  }

  public static OpenAiError malformedHttp() {
    return new OpenAiError(400, INVALID_REQUEST, "malformed_request", null, "The HTTP request could not be parsed.");
  }

  public static OpenAiError modelNotFound(String model) {
    String shown = model.length() > 256 ? model.substring(0, 256) + "..." : model;
    return new OpenAiError(404, INVALID_REQUEST, "model_not_found", "model",
        "The model '" + shown + "' does not exist or is not served by this router.");
  }

  public static OpenAiError originNotAllowed(String origin) {
    String shown = origin == null ? "" : origin.length() > 256 ? origin.substring(0, 256) + "..." : origin;
    return new OpenAiError(403, INVALID_REQUEST, "origin_not_allowed", null,
        "The origin '" + shown + "' is not allowed to call this router (RouterSettings cors.allowedOrigins).");
  }

  public static OpenAiError routeNotFound(String method, String path) {
    return new OpenAiError(404, NOT_FOUND, "unknown_url", null, "Unknown request URL: " + method + " " + path + ".");
  }

  /**
   * {@code GET / DELETE /v1/responses/{id}}, {@code .../cancel}, {@code .../input_items}: a stored
   * response lives on the engine that made it, and the router does not track which one that was.
   */
  public static OpenAiError storedResponsesUnsupported(String method, String path) {
    return new OpenAiError(404, NOT_FOUND, "stored_responses_unsupported", null, "Sluice does not route requests"
        + " for stored responses (" + method + " " + path + "): a stored response lives on the engine that made it,"
        + " and the router does not keep track of which one. Send the whole conversation as 'input' in"
        + " POST /v1/responses instead of retrieving a response or continuing from 'previous_response_id'.");
  }

  public static OpenAiError methodNotAllowed(String method, String path) {
    return new OpenAiError(405, INVALID_REQUEST, "method_not_allowed", null,
        "Method " + method + " is not allowed on " + path + ".");
  }

  public static OpenAiError bodyTooLarge(long limit) {
    return new OpenAiError(413, INVALID_REQUEST, "request_too_large", null,
        "The request body is larger than the limit of " + limit + " bytes.");
  }

  public static OpenAiError unsupportedMediaType(String contentType) {
    return unsupportedMediaType(contentType, "application/json");
  }

  public static OpenAiError unsupportedMediaType(String contentType, String expected) {
    return new OpenAiError(415, INVALID_REQUEST, "unsupported_media_type", null,
        "Content-Type '" + contentType + "' is not supported; send " + expected + ".");
  }

  public static OpenAiError noReadyPod(String pool) {
    return noReadyPod(pool, null);
  }

  /** {@code why}: what keeps every pod of the pool from serving, when known (see PoolRuntime#unservable). */
  public static OpenAiError noReadyPod(String pool, String why) {
    return new OpenAiError(503, UNAVAILABLE, "no_ready_pod", null,
        "No pod of pool '" + pool + "' is ready to serve this request"
            + (why == null ? "" : ": " + why) + "; retry later.");
  }

  public static OpenAiError upstreamFailed(String detail) {
    return new OpenAiError(502, SERVER_ERROR, "upstream_unavailable", null,
        "The model server could not be reached: " + detail);
  }

  /** A stream the model server broke after the 200 went out: sent as the stream's last event. */
  public static OpenAiError streamInterrupted(String detail) {
    return new OpenAiError(502, SERVER_ERROR, "upstream_stream_failed", null,
        "The model server stopped the stream before it finished: " + detail);
  }

  public static OpenAiError upstreamTimeout(long millis) {
    return new OpenAiError(504, SERVER_ERROR, "upstream_timeout", null,
        "The model server did not answer within " + millis + " ms.");
  }

  public static OpenAiError contextLengthExceeded(long tokens, long largestBudget) {
    return new OpenAiError(400, INVALID_REQUEST, "context_length_exceeded", "messages",
        "This request needs about " + tokens + " tokens of KV cache, more than any pod of its pool can ever hold ("
            + largestBudget + "). Shorten the prompt or lower max_tokens.");
  }

  public static OpenAiError queueFull(String limit) {
    return new OpenAiError(429, RATE_LIMIT, "queue_full",
        null, "The model is busy and its admission queue is full (" + limit + "); retry after the Retry-After delay.");
  }

  public static OpenAiError sloUnattainable(long predictedMillis, long objectiveMillis) {
    return new OpenAiError(429, RATE_LIMIT, "slo_unattainable", null,
        "The model is busy: this request's first token is predicted in about " + predictedMillis + " ms (queue "
            + "wait and prefill), past its " + objectiveMillis + " ms time-to-first-token objective, so it was "
            + "refused at once; retry after the Retry-After delay.");
  }

  public static OpenAiError queueTimeout(long waitedMillis) {
    return new OpenAiError(503, UNAVAILABLE, "queue_timeout", null,
        "The request waited " + waitedMillis + " ms for capacity without getting it; retry later.");
  }

  public static OpenAiError shuttingDown() {
    return new OpenAiError(503, UNAVAILABLE, "shutting_down", null, "The router is shutting down; retry.");
  }

  public static OpenAiError internal() {
    return new OpenAiError(500, SERVER_ERROR, "internal_error", null, "The router failed to handle the request.");
  }

  /** The JSON body. */
  /**
   * The error as the last event of a stream of {@code kind}: {@code data: {"error": ...}} as OpenAI
   * ends a failed chat stream, or for the Responses API an {@code event: error} whose data is a
   * Responses error event ({@code type}, {@code code}, {@code message}, {@code param}) that also
   * carries the {@code error} object, so every SDK raises it (they raise on an {@code error} member).
   */
  public String toStreamEvent(ApiKind kind) {
    if (kind != ApiKind.RESPONSES) {
      return "data: " + toJson() + "\n\n";
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "error");
    root.put("code", code);
    root.put("message", message);
    root.put("param", param);
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return "event: error\ndata: " + root + "\n\n";
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return root.toString();
  }
}
