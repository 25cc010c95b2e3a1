package io.sluice.router.proxy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crd.ServiceObjective;
import io.sluice.router.admission.AdmissionCallback;
import io.sluice.router.admission.Decision;
import io.sluice.router.admission.Reservation;
import io.sluice.router.api.ApiException;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.api.MultipartFields;
import io.sluice.router.api.RequestParser;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.estimate.CostEstimate;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.runtime.RouterScoringRequest;
import io.sluice.router.runtime.PoolDirectory;
import io.sluice.router.runtime.TrafficClasses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one inference request: parse, find its pool and traffic class, estimate its token
 * cost, admit it against the pods' budgets (or queue it), forward it, and release its reservation
 * exactly once when it ends, feeding back what it really used.
 */
public final class ProxyHandler {
  private static final String CLASS_KEY = "sluice.trafficClass";

  private final Vertx vertx;
  private final PoolDirectory runtimes;
  private final TrafficClasses classes;
  private final Forwarder forwarder;
  private final RouterMetrics metrics;
  private final AccessLog accessLog;
  private final String sessionHeader;
  private final RouterSettings.AuthMode authMode;
  private final long audioTranscriptionTokens;

  /**
   * @param clients makes an HTTP client to the pods; each event loop forwarding requests gets its own
   */
  public ProxyHandler(Vertx vertx, Supplier<HttpClient> clients, PoolDirectory runtimes,
      TrafficClasses classes, RouterSettings settings, RouterMetrics metrics, AccessLog accessLog) {
    this.vertx = vertx;
    this.runtimes = runtimes;
    this.classes = classes;
    this.forwarder = new Forwarder(vertx, clients, settings, metrics, this::requeue);
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.sessionHeader = settings.sessionHeader();
    this.authMode = settings.authentication().mode();
    this.audioTranscriptionTokens = settings.audioTranscriptionTokens();
  }

  /** Closes the HTTP clients the event loops use to forward. */
  public Future<Void> close() {
    return forwarder.close();
  }

  /**
   * The first handler of an API route, before its body is read: checks the caller's API key (401
   * as the authentication mode demands) and keeps its traffic class for {@link #handle}.
   */
  public void authenticate(RoutingContext ctx) {
    try {
      TrafficClassConfig config = classes.authenticate(name -> ctx.request().getHeader(name), authMode);
      if (config != null) {
        ctx.put(CLASS_KEY, config);
      }
    } catch (ApiException e) {
      if (ctx.request().isEnded()) {
        sendError(ctx, e.error());
      } else {
        sendErrorAndClose(ctx, e.error()); // its body is not read
      }
      return;
    }
    ctx.next();
  }

  /** Handles one request to {@code kind}'s endpoint; the body has been read by then. */
  public void handle(RoutingContext ctx, ApiKind kind) {
    Exchange exchange = new Exchange(ctx, vertx.getOrCreateContext(), kind, System.nanoTime());
    ctx.put(AccessLog.EXCHANGE, exchange); // it logs itself when it ends
    metrics.requestStarted();
    ctx.addEndHandler(ended -> finish(exchange));
    ctx.response().closeHandler(closed -> onClientClosed(exchange));
    try {
      Buffer raw = ctx.get(BodyReader.BODY);
      if (kind.multipart()) {
        exchange.request = formRequest(kind, ctx.request().getHeader("content-type"), raw);
      } else {
        checkContentType(ctx.request().getHeader("content-type"));
        exchange.request = RequestParser.parse(kind, raw == null ? new byte[0] : raw.getBytes());
      }
      exchange.runtime = runtimes.forModel(exchange.request.model());
      if (exchange.runtime == null) {
        throw new ApiException(OpenAiError.modelNotFound(exchange.request.model()));
      }
      exchange.caller = TrafficClasses.permit(ctx.get(CLASS_KEY), name -> ctx.request().getHeader(name),
          exchange.request.model());
      exchange.objective = exchange.runtime.objective(exchange.caller);
      exchange.source = TrafficClasses.learningSource(ctx.get(CLASS_KEY), name -> ctx.request().getHeader(name),
          ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().host());
      exchange.body = prepareBody(exchange, raw);
    } catch (ApiException e) {
      sendError(ctx, e.error());
      return;
    }
    if (!kind.admitted()) {
      forwarder.passThrough(exchange);
      return;
    }
    exchange.to(Exchange.Phase.ESTIMATING);
    if (kind == ApiKind.AUDIO_TRANSCRIPTIONS) {
      // The audio's length is not known without decoding it: a flat cost, the same for every request.
      estimated(exchange, new CostEstimate(audioTranscriptionTokens, 0, exchange.runtime.estimator()
          .reservationPolicy().reservation(audioTranscriptionTokens, 0), "flat", "none"), null);
      return;
    }
    CompletableFuture<CostEstimate> estimate =
        exchange.runtime.estimator().estimate(exchange.request, exchange.source);
    if (estimate.isDone() && !estimate.isCompletedExceptionally()) {
      estimated(exchange, estimate.getNow(null), null);
    } else {
      estimate.whenComplete((cost, failure) ->
          exchange.context.runOnContext(v -> estimated(exchange, cost, failure)));
    }
  }

  private static final Set<String> FORM_FIELDS = Set.of("model", "stream");

  /**
   * A multipart request as the router sees it: its {@code model} and {@code stream} form fields,
   * found in the body already read (within {@code maxBodyBytes}); the body is forwarded unchanged.
   */
  private static InferenceRequest formRequest(ApiKind kind, String contentType, Buffer raw) {
    String boundary = MultipartFields.boundary(contentType);
    if (boundary == null) {
      throw new ApiException(contentType == null
          ? OpenAiError.badRequest(null, "Send the audio as multipart/form-data, with a model field.")
          : OpenAiError.unsupportedMediaType(contentType, "multipart/form-data with a boundary"));
    }
    Map<String, String> fields = MultipartFields.read(raw == null ? new byte[0] : raw.getBytes(), boundary,
        FORM_FIELDS);
    String model = fields.get("model");
    if (model == null) {
      throw new ApiException(OpenAiError.badRequest("model", "You must provide a model parameter."));
    }
    if (model.isBlank()) {
      throw new ApiException(OpenAiError.badRequest("model", "'model' must be a non-empty string."));
    }
    boolean stream = "true".equalsIgnoreCase(fields.getOrDefault("stream", "").trim());
    ObjectNode seen = JsonNodeFactory.instance.objectNode()
        .put("model", model).put("stream", stream);
    return new InferenceRequest(kind, model, stream, seen);
  }

  /**
   * The body to forward: unchanged, except that a stream is asked to report its usage at the end
   * (so the reservation can be reconciled); the extra chunk is hidden from a client that did not
   * ask for it. A Responses stream is never changed: its {@code response.completed} event always
   * carries the usage.
   */
  private static Buffer prepareBody(Exchange exchange, Buffer raw) {
    if (!exchange.request.stream() || !exchange.kind.asksStreamUsage()) {
      return raw;
    }
    ObjectNode body = exchange.request.body();
    if (body.path("stream_options").path("include_usage").asBoolean(false)) {
      return raw;
    }
    exchange.hideUsage = true;
    if (body.get("stream_options") instanceof ObjectNode existing) {
      existing.put("include_usage", true);
      return Buffer.buffer(body.toString());
    }
    body.putObject("stream_options").put("include_usage", true);
    Buffer spliced = withStreamOptions(raw.getBytes());
    return spliced != null ? spliced : Buffer.buffer(body.toString());
  }

  private static final byte[] STREAM_OPTIONS =
      "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

  /**
   * The client's bytes with {@code "stream_options":{"include_usage":true}} as the object's first
   * member: a splice, not a re-serialisation of the whole body. Only for a body the parser read as
   * an object with no {@code stream_options} member; null when the bytes are not UTF-8 with the
   * object's brace first (Jackson also reads UTF-16 and UTF-32), so the caller re-serialises.
   */
  static Buffer withStreamOptions(byte[] json) {
    int open = skipSpace(json, 0);
    if (open + 1 >= json.length || json[open] != '{' || json[open + 1] == 0) {
      return null;
    }
    int next = skipSpace(json, open + 1);
    boolean empty = next < json.length && json[next] == '}';
    Buffer out = Buffer.buffer(json.length + STREAM_OPTIONS.length + 1);
    out.appendBytes(json, 0, open + 1).appendBytes(STREAM_OPTIONS);
    if (!empty) {
      out.appendByte((byte) ',');
    }
    return out.appendBytes(json, open + 1, json.length - open - 1);
  }

  /** The first index at or after {@code from} that is not JSON whitespace (a UTF-8 BOM counts as one). */
  private static int skipSpace(byte[] json, int from) {
    int at = from;
    while (at < json.length) {
      byte b = json[at];
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
        at++;
      } else if ((b & 0xff) == 0xEF && at + 2 < json.length && (json[at + 1] & 0xff) == 0xBB
          && (json[at + 2] & 0xff) == 0xBF) {
        at += 3;
      } else {
        break;
      }
    }
    return at;
  }

  private void estimated(Exchange exchange, CostEstimate cost, Throwable failure) {
    if (exchange.over()) {
      return;
    }
    if (failure != null) {
      ApiException refused = ApiException.in(failure);
      if (refused != null) { // the engine would refuse it (its chat template raised)
        sendError(exchange.ctx, refused.error());
        return;
      }
      LoggerFactory.getLogger(ProxyHandler.class).error("estimation failed", failure);
      sendError(exchange.ctx, OpenAiError.internal());
      return;
    }
    exchange.cost = cost;
    exchange.scoring = new RouterScoringRequest(exchange.request,
        exchange.runtime.pool().spec().loraAdapters().contains(exchange.request.model()), cost.reservationTokens(),
        cost.promptTokens(), exchange.caller, exchange.ctx.request().getHeader(sessionHeader));
    decided(exchange, exchange.runtime.admission().admit(exchange.admissionRequest(), new QueuedCallback(exchange)));
  }

  /** A pod answered 429 / 503, or no other pod fits a retry: back into the queue, keeping its age. */
  private void requeue(Exchange exchange) {
    exchange.requeues++;
    decided(exchange, exchange.runtime.admission().requeue(exchange.admissionRequest(), exchange.startNanos,
        new QueuedCallback(exchange)));
  }

  private void decided(Exchange exchange, Decision decision) {
    record(exchange, decision);
    if (decision instanceof Decision.Admitted admitted) {
      exchange.reservation = admitted.reservation();
      forwarder.forward(exchange);
    } else if (decision instanceof Decision.Queued queued) {
      exchange.to(Exchange.Phase.QUEUED);
      exchange.waiter = queued.waiter();
      exchange.predictedWaitNanos = queued.predictedWaitNanos();
    } else if (decision instanceof Decision.Unattainable late) {
      exchange.ctx.response().putHeader("retry-after", Long.toString(late.retryAfterSeconds()));
      sendError(exchange.ctx, OpenAiError.sloUnattainable(TimeUnit.NANOSECONDS.toMillis(late.predictedWaitNanos()),
          exchange.objective.ttft().toMillis()));
    } else if (decision instanceof Decision.QueueFull full) {
      exchange.ctx.response().putHeader("retry-after", Long.toString(full.retryAfterSeconds()));
      sendError(exchange.ctx, OpenAiError.queueFull(full.limit()));
    } else if (decision instanceof Decision.TooLarge large) {
      sendError(exchange.ctx, OpenAiError.contextLengthExceeded(large.tokens(), large.largestBudget()));
    } else {
      sendError(exchange.ctx, OpenAiError.noReadyPod(exchange.runtime.name(), exchange.runtime.unservable()));
    }
  }

  /** Lists the decision on the admin page (ids, class and numbers only). */
  private void record(Exchange exchange, Decision decision) {
    String outcome;
    String pod = null;
    long predicted = 0;
    if (decision instanceof Decision.Admitted admitted) {
      outcome = "admitted";
      pod = admitted.reservation().podId();
    } else if (decision instanceof Decision.Queued queued) {
      outcome = "queued";
      predicted = queued.predictedWaitNanos();
    } else if (decision instanceof Decision.Unattainable late) {
      outcome = "rejected_slo";
      predicted = late.predictedWaitNanos();
    } else if (decision instanceof Decision.QueueFull) {
      outcome = "rejected_full";
    } else if (decision instanceof Decision.TooLarge) {
      outcome = "rejected_too_large";
    } else {
      outcome = "rejected_no_pods";
    }
    record(exchange, outcome, predicted, pod);
  }

  private void record(Exchange exchange, String outcome, long predictedNanos, String pod) {
    RouterScoringRequest scoring = pod != null && exchange.scoring instanceof RouterScoringRequest r ? r : null;
    metrics.live().decided(exchange.ctx.get(AccessLog.REQUEST_ID), exchange.runtime.name(),
        exchange.caller.trafficClass(), outcome, exchange.cost.reservationTokens(), exchange.cost.promptTokens(),
        TimeUnit.NANOSECONDS.toMillis(predictedNanos), pod,
        scoring == null ? null : scoring.scorerTypes(), scoring == null ? null : scoring.scores());
  }

  /** Hands a queued request's fate back to its event loop. */
  private final class QueuedCallback implements AdmissionCallback {
    private final Exchange exchange;

    QueuedCallback(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public void admitted(Reservation reservation, long waitedNanos) {
      exchange.context.runOnContext(v -> {
        if (exchange.over()) {
          reservation.release(); // the client left while the hand-over was on its way
          return;
        }
        exchange.reservation = reservation;
        record(exchange, "admitted_from_queue", exchange.predictedWaitNanos, reservation.podId());
        forwarder.forward(exchange);
      });
    }

    @Override
    public void expired(long waitedNanos) {
      exchange.context.runOnContext(v -> {
        exchange.ctx.response().putHeader("retry-after",
            Long.toString(exchange.runtime.admission().retryAfterSeconds()));
        sendError(exchange.ctx, OpenAiError.queueTimeout(TimeUnit.NANOSECONDS.toMillis(waitedNanos)));
      });
    }
  }

  private static void checkContentType(String contentType) {
    if (contentType == null) {
      return;
    }
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      throw new ApiException(OpenAiError.unsupportedMediaType(contentType));
    }
  }

  private void onClientClosed(Exchange exchange) {
    if (exchange.ctx.response().ended()) {
      return;
    }
    exchange.clientClosed = true;
    if (exchange.waiter != null) {
      exchange.waiter.cancel();
    }
    if (exchange.upstream != null) {
      exchange.upstream.reset();
    }
  }

  /** Runs once per request, however it ended: releases the reservation and records the outcome. */
  private void finish(Exchange exchange) {
    HttpServerResponse response = exchange.ctx.response();
    if (!response.ended() && !exchange.streamFailed) {
      onClientClosed(exchange); // the end handler may run before the close handler
    }
    exchange.to(Exchange.Phase.DONE);
    forwarder.cancelTimer(exchange);
    if (exchange.waiter != null) {
      exchange.waiter.cancel();
    }
    if (exchange.reservation != null) {
      exchange.reservation.release();
      reconcile(exchange);
    }
    if (exchange.retryBudgetHeld) {
      exchange.retryBudgetHeld = false;
      exchange.runtime.retries().release();
    }
    // 499: the client went away first; 502: the pod broke a stream already under way.
    int status = exchange.streamFailed ? 502 : exchange.clientClosed ? 499 : response.getStatusCode();
    long now = System.nanoTime();
    long nanos = now - exchange.startNanos;
    metrics.requestFinished(exchange.modelTag(), exchange.poolTag(), exchange.kind.label(), status, nanos);
    judge(exchange, status, now);
    accessLog.exchange(exchange, status, nanos);
  }

  /**
   * Records how a request with a service objective fared ({@code sluice_slo_requests_total}) and,
   * for a stream, how far its time to first token was from the queue wait admission predicted. A
   * stream is judged by its first token and its mean time per token after it; a plain answer,
   * whose first token the router cannot see, by whether it was complete within the time the two
   * objectives allow together (ttft + tpot x (output tokens - 1)).
   */
  private void judge(Exchange exchange, int status, long now) {
    if (exchange.runtime == null || exchange.cost == null) {
      return; // refused before admission (bad request, unknown model): not a request of the pool
    }
    String pool = exchange.runtime.name();
    if (exchange.usage != null && exchange.firstTokenNanos > 0 && status == 200) {
      metrics.ttftPredicted(pool, exchange.predictedWaitNanos, exchange.firstTokenNanos - exchange.startNanos);
    }
    ServiceObjective objective = exchange.objective;
    if (objective == null || objective.ttft() == null || status == 499) {
      return; // no promise made, or the client left before the answer: nothing to judge
    }
    String outcome;
    if (status == 200 && !exchange.cutOff) {
      long outputs = exchange.usage == null ? 0 : Math.max(0, exchange.usage.outputTokens());
      long tpot = objective.tpotNanos();
      if (exchange.firstTokenNanos > 0) {
        long ttft = exchange.firstTokenNanos - exchange.startNanos;
        long perToken = outputs > 1 ? (exchange.lastTokenNanos - exchange.firstTokenNanos) / (outputs - 1) : 0;
        outcome = ttft > objective.ttftNanos() ? "missed_ttft" : tpot > 0 && perToken > tpot ? "missed_tpot" : "met";
      } else {
        long allowed = objective.ttftNanos() + tpot * Math.max(0, outputs - 1);
        outcome = now - exchange.startNanos <= allowed || tpot == 0 && now - exchange.startNanos <= objective.ttftNanos()
            ? "met" : tpot == 0 ? "missed_ttft" : "missed_tpot";
      }
    } else if (status == 429 || status == 503 && exchange.pod == null) {
      outcome = "refused"; // by the router: queue full, objective unattainable, queue timeout
    } else if (status >= 500 || exchange.cutOff) {
      outcome = "failed";
    } else {
      return; // the client's mistake (4xx): not a request the pool could serve
    }
    metrics.sloOutcome(pool, exchange.caller.trafficClass(), outcome);
  }

  private void reconcile(Exchange exchange) {
    UsageWatcher usage = exchange.usage;
    if (usage == null || exchange.clientClosed || exchange.streamFailed) {
      return; // an answer cut short says nothing about the request's natural length
    }
    if (usage.outputTokens() >= 0 && exchange.kind.generates()) {
      exchange.runtime.estimator().observe(exchange.source, exchange.request, usage.outputTokens());
    }
    if (exchange.kind != ApiKind.AUDIO_TRANSCRIPTIONS) { // a flat cost: nothing to learn from its ratio
      metrics.estimateObserved(exchange.runtime.name(), exchange.cost, usage.promptTokens(), usage.outputTokens());
    }
  }

  /** Writes an OpenAI-format error and closes the connection after it (the request was not read in full). */
  static void sendErrorAndClose(RoutingContext ctx, OpenAiError error) {
    HttpServerResponse response = ctx.response();
    ctx.put(AccessLog.ERROR_CODE, error.code());
    if (response.headWritten() || response.ended() || response.closed()) {
      ctx.request().connection().close();
      return;
    }
    response.setStatusCode(error.status())
        .putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(Buffer.buffer(error.toJson()))
        .onComplete(done -> ctx.request().connection().close());
  }

  /** Writes an OpenAI-format error, unless a response has already started. */
  static void sendError(RoutingContext ctx, OpenAiError error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten() || response.ended() || response.closed()) {
      return;
    }
    ctx.put(AccessLog.ERROR_CODE, error.code());
    response.setStatusCode(error.status())
        .putHeader("content-type", "application/json")
        .end(Buffer.buffer(error.toJson()));
  }
}
