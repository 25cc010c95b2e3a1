package io.sluice.router.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
  /** A plain response's body, for its usage (null for a stream). */
  private final ByteArrayOutputStream body;
  /**
   * One non-blocking parser for the whole stream, fed each event's JSON in turn (a sequence of
   * root-level values), instead of a parser built and torn down per event; null until the first
   * event, and again after an event it could not read, so the next one starts clean.
   */
  private JsonParser events;
  private long generated;
  private long promptTokens = -1;
  private long completionTokens = -1;

  public UsageWatcher(boolean stream, boolean hideUsageChunk, Progress progress) {
    this.stream = stream;
    this.hideUsageChunk = hideUsageChunk;
    this.progress = progress;
    this.body = stream ? null : new ByteArrayOutputStream();
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
    ByteArrayOutputStream out = null; // only when an event is dropped
    int start = 0;
    for (int i = 0; i + 1 < data.length; i++) {
      if (data[i] == '\n' && data[i + 1] == '\n') {
        int end = i + 2;
        boolean kept = keep(data, start, end);
        if (!kept && out == null) {
          out = new ByteArrayOutputStream(data.length);
          out.write(data, 0, start);
        }
        if (kept && out != null) {
          out.write(data, start, end - start);
        }
        start = end;
        i = end - 1;
      }
    }
    pending = start == data.length ? EMPTY : Arrays.copyOfRange(data, start, data.length);
    if (out == null) {
      return start == data.length ? data : Arrays.copyOf(data, start);
    }
    return out.toByteArray();
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
    discardParser();
    byte[] rest = pending;
    pending = EMPTY;
    return rest;
  }

  /**
   * Reads one event, {@code data[from, to)}, with the stream's parser over its bytes (no string, no
   * tree, no new parser: this runs for every chunk of every stream); false for the usage chunk to hide.
   */
  private boolean keep(byte[] data, int from, int to) {
    int at = skipSpace(data, from, to);
    if (to - at < 5 || data[at] != 'd' || data[at + 1] != 'a' || data[at + 2] != 't' || data[at + 3] != 'a'
        || data[at + 4] != ':') {
      return true;
    }
    int payload = skipSpace(data, at + 5, to);
    if (payload >= to || data[payload] != '{') {
      return true; // [DONE], empty, or not ours to judge: pass it on
    }
    JsonParser parser = events;
    try {
      if (parser == null) {
        parser = JSON.getFactory().createNonBlockingByteArrayParser();
        events = parser;
      }
      ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).feedInput(data, payload, to);
      boolean kept = readEvent(parser);
      if (!parser.getParsingContext().inRoot() || parser.nextToken() != JsonToken.NOT_AVAILABLE) {
        discardParser(); // a truncated or trailing value: the next event gets a fresh parser
      }
      return kept;
    } catch (IOException | RuntimeException e) {
      discardParser();
      return true; // not ours to judge: pass it on
    }
  }

  private void discardParser() {
    JsonParser parser = events;
    events = null;
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException e) {
        // nothing held but memory
      }
    }
  }

  /** Reads one event's object (all of its bytes are fed); false for the usage chunk to hide. */
  private boolean readEvent(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return true;
    }
    boolean usageSeen = false;
    boolean noChoices = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("choices".equals(field) && value == JsonToken.START_ARRAY) {
        int outputs = 0;
        int choices = 0;
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          choices++;
          if (choiceCarriesOutput(parser)) {
            outputs++;
          }
        }
        noChoices = choices == 0;
        for (int i = 0; i < outputs; i++) {
          generated++;
          progress.generated(generated);
        }
      } else if ("usage".equals(field) && value == JsonToken.START_OBJECT) {
        usageSeen = true;
        readUsageObject(parser);
      } else {
        parser.skipChildren();
      }
    }
    if (usageSeen) {
      if (completionTokens > generated) {
        generated = completionTokens;
        progress.generated(generated);
      }
      return !(hideUsageChunk && noChoices);
    }
    return true;
  }

  private static int skipSpace(byte[] data, int from, int to) {
    int at = from;
    while (at < to && (data[at] == ' ' || data[at] == '\r' || data[at] == '\n' || data[at] == '\t')) {
      at++;
    }
    return at;
  }

  /** Reads one choice object (the parser is on its START_OBJECT) to its end: does it carry output? */
  private static boolean choiceCarriesOutput(JsonParser parser) throws IOException {
    boolean output = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("delta".equals(field) && value == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String part = parser.currentName();
          JsonToken partValue = parser.nextToken();
          if (("content".equals(part) || "reasoning_content".equals(part)) && partValue == JsonToken.VALUE_STRING) {
            output |= parser.getTextLength() > 0;
          } else if ("tool_calls".equals(part) && partValue == JsonToken.START_ARRAY) {
            output |= parser.nextToken() != JsonToken.END_ARRAY;
            if (parser.currentToken() != JsonToken.END_ARRAY) {
              parser.skipChildren();
              skipToEndOfArray(parser);
            }
          } else {
            parser.skipChildren();
          }
        }
      } else if ("text".equals(field) && value == JsonToken.VALUE_STRING) {
        output |= parser.getTextLength() > 0;
      } else {
        parser.skipChildren();
      }
    }
    return output;
  }

  /** After the first element of an array was read and skipped: skips the rest, to its END_ARRAY. */
  private static void skipToEndOfArray(JsonParser parser) throws IOException {
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      parser.skipChildren();
    }
  }

  /** Reads a usage object (the parser is on its START_OBJECT) to its end. */
  private void readUsageObject(JsonParser parser) throws IOException {
    long prompt = -1;
    long completion = -1;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("prompt_tokens".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
        prompt = parser.getLongValue();
      } else if ("completion_tokens".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
        completion = parser.getLongValue();
      } else {
        parser.skipChildren();
      }
    }
    promptTokens = prompt;
    completionTokens = completion;
  }

  private void readUsage(byte[] json) {
    try (JsonParser parser = JSON.getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        if (parser.nextToken() == JsonToken.START_OBJECT && "usage".equals(field)) {
          readUsageObject(parser);
          return;
        }
        parser.skipChildren();
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
