package io.sluice.router.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Watches a response on its way to the client to learn what the request really cost: for a
 * server-sent-event stream, each chunk that carries output counts as a generated token and the
 * final usage chunk gives the exact figures; for a plain JSON response, its {@code usage} field.
 * The usage chunk the router asked for on the client's behalf is removed from the stream; every
 * other byte passes unchanged. Plain Java, one instance per response, one thread at a time.
 */
public final class UsageWatcher {
  /** Told as output tokens arrive, so the reservation can grow with a stream that outruns it. */
  @FunctionalInterface
  public interface Progress {
    void generated(long outputTokensSoFar);
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_JSON_BODY = 8 << 20;
  private static final byte[] EMPTY = new byte[0];

  private final boolean stream;
  private final boolean hideUsageChunk;
  private final Progress progress;
  /** Bytes of an event not yet complete; kept as bytes so a split UTF-8 character survives. */
  private byte[] pending = EMPTY;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private long generated;
  private long promptTokens = -1;
  private long completionTokens = -1;

  public UsageWatcher(boolean stream, boolean hideUsageChunk, Progress progress) {
    this.stream = stream;
    this.hideUsageChunk = hideUsageChunk;
    this.progress = progress;
  }

  /** Bytes to pass on for this chunk of the response. */
  public byte[] onChunk(byte[] chunk) {
    if (!stream) {
      if (body.size() + chunk.length <= MAX_JSON_BODY) {
        body.writeBytes(chunk);
      }
      return chunk;
    }
    byte[] data = pending.length == 0 ? chunk : concat(pending, chunk);
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
    int start = 0;
    for (int i = 0; i + 1 < data.length; i++) {
      if (data[i] == '\n' && data[i + 1] == '\n') {
        int end = i + 2;
        if (keep(new String(data, start, end - start, StandardCharsets.UTF_8))) {
          out.write(data, start, end - start);
        }
        start = end;
        i = end - 1;
      }
    }
    pending = start == data.length ? EMPTY : Arrays.copyOfRange(data, start, data.length);
    return out.size() == data.length ? data : out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }

  /** Bytes still held back when the response ends (an event without its blank line). */
  public byte[] onEnd() {
    if (!stream) {
      readUsage(body.toByteArray());
      return EMPTY;
    }
    byte[] rest = pending;
    pending = EMPTY;
    return rest;
  }

  private boolean keep(String event) {
    String data = event.strip();
    if (!data.startsWith("data:")) {
      return true;
    }
    String payload = data.substring(5).strip();
    if (payload.equals("[DONE]") || payload.isEmpty()) {
      return true;
    }
    JsonNode chunk;
    try {
      chunk = JSON.readTree(payload);
    } catch (IOException e) {
      return true; // not ours to judge: pass it on
    }
    JsonNode choices = chunk.path("choices");
    for (JsonNode choice : choices) {
      if (carriesOutput(choice)) {
        generated++;
        progress.generated(generated);
      }
    }
    JsonNode usage = chunk.get("usage");
    if (usage != null && usage.isObject()) {
      promptTokens = usage.path("prompt_tokens").asLong(-1);
      completionTokens = usage.path("completion_tokens").asLong(-1);
      if (completionTokens > generated) {
        generated = completionTokens;
        progress.generated(generated);
      }
      return !(hideUsageChunk && choices.isArray() && choices.isEmpty());
    }
    return true;
  }

  private static boolean carriesOutput(JsonNode choice) {
    JsonNode delta = choice.get("delta");
    if (delta != null) {
      return nonEmpty(delta.get("content")) || nonEmpty(delta.get("reasoning_content"))
          || (delta.has("tool_calls") && !delta.get("tool_calls").isEmpty());
    }
    return nonEmpty(choice.get("text"));
  }

  private static boolean nonEmpty(JsonNode node) {
    return node != null && node.isTextual() && !node.asText().isEmpty();
  }

  private void readUsage(byte[] json) {
    try {
      JsonNode usage = JSON.readTree(json).get("usage");
      if (usage != null && usage.isObject()) {
        promptTokens = usage.path("prompt_tokens").asLong(-1);
        completionTokens = usage.path("completion_tokens").asLong(-1);
      }
    } catch (IOException | RuntimeException e) {
      // not JSON (an error page): no usage to learn from
    }
  }

  /** Prompt tokens the engine reported, or -1. */
  public long promptTokens() {
    return promptTokens;
  }

  /** Output tokens: as the engine reported them, else as counted from the stream, else -1. */
  public long outputTokens() {
    if (completionTokens >= 0) {
      return completionTokens;
    }
    return stream ? generated : -1;
  }
}
