package io.sluice.router.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Watches a response on its way to the client to learn what the request really cost: for a
 * server-sent-event stream, each chunk that carries output counts as a generated token and the
 * final usage chunk gives the exact figures (a Responses stream: each output delta event counts,
 * and the usage of the response in {@code response.completed}, after its {@code event:} line,
 * gives the figures); for a plain JSON response, its {@code usage} field.
 * The usage chunk the router asked for on the client's behalf is removed from the stream; every
 * other byte passes unchanged. Events are framed by {@link SseFramer} (LF, CRLF or CR line ends).
 * Reads the chunks' bytes where Vert.x put them; copies only the bytes of an event that spans
 * chunks, and the events around one it hides. One instance per response, one thread at a time.
 */
public final class UsageWatcher {
  /** Told as output tokens arrive, so the reservation can grow with a stream that outruns it. */
  @FunctionalInterface
  public interface Progress {
    void generated(long outputTokensSoFar);
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_JSON_BODY = 8 << 20;

  private final boolean stream;
  private final boolean hideUsageChunk;
  private final Progress progress;
  private final SseFramer framer = new SseFramer();
  /** Bytes of an event not yet complete; kept as bytes so a split UTF-8 character survives. */
  private Buffer pending = Buffer.buffer();
  /** Whether the last complete event passed on (an LF completing its CRLF follows it). */
  private boolean lastKept = true;
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

  /**
   * What to pass on for this chunk of the response: the chunk itself, a slice of it, or (when an
   * event spans chunks or one is hidden) a buffer of the events it completes. An event is passed
   * on as soon as its blank line arrives, whatever the engine's line ends.
   */
  public Buffer onChunk(Buffer chunk) {
    ByteBuf bytes = heapBytes(chunk);
    byte[] data = bytes.array();
    int base = bytes.arrayOffset() + bytes.readerIndex();
    int length = chunk.length();
    if (!stream) {
      if (body.size() + length <= MAX_JSON_BODY) {
        body.write(data, base, length);
      }
      return chunk;
    }
    Buffer out = null; // what passes on, once it is more than one run of this chunk
    int keptFrom = 0; // this chunk's bytes from here to at pass on (after out)
    int at = 0;
    if (framer.continuesLastEvent(data, base, base + length)) {
      at = 1; // the LF of the CRLF that ended the last event: it goes where that event went
      keptFrom = lastKept ? 0 : 1;
    }
    for (int end; (end = framer.eventEnd(data, base + at, base + length)) >= 0; at = end) {
      end -= base;
      boolean kept;
      if (pending.length() > 0) {
        pending.appendBuffer(chunk, at, end - at); // at is 0: pending ends where this chunk starts
        ByteBuf event = heapBytes(pending);
        int from = event.arrayOffset() + event.readerIndex();
        kept = keep(event.array(), from, from + pending.length());
        out = kept ? pending : null;
        pending = Buffer.buffer();
        keptFrom = end;
      } else {
        kept = keep(data, base + at, base + end);
        if (!kept) {
          out = append(out, chunk, keptFrom, at);
          keptFrom = end;
        }
      }
      lastKept = kept;
    }
    if (at < length) {
      pending.appendBuffer(chunk, at, length - at); // an event not complete yet, kept as bytes
    }
    if (out == null) {
      return keptFrom == 0 && at == length ? chunk : chunk.slice(keptFrom, at);
    }
    return append(out, chunk, keptFrom, at);
  }

  private static Buffer append(Buffer out, Buffer chunk, int from, int to) {
    if (out == null) {
      out = Buffer.buffer(Math.max(16, to - from));
    }
    return to > from ? out.appendBuffer(chunk, from, to - from) : out;
  }

  /** The buffer's bytes, with the array they live in (Vert.x reads into heap buffers; else one copy). */
  private static ByteBuf heapBytes(Buffer buffer) {
    ByteBuf bytes = ((BufferInternal) buffer).getByteBuf();
    return bytes.hasArray() ? bytes : Unpooled.wrappedBuffer(buffer.getBytes());
  }

  /** Bytes still held back when the response ends (an event without its blank line). */
  public Buffer onEnd() {
    if (!stream) {
      readUsage(body.toByteArray());
      return Buffer.buffer();
    }
    discardParser();
    Buffer rest = pending;
    pending = Buffer.buffer();
    return rest;
  }

  /**
   * Reads one event, {@code data[from, to)}, with the stream's parser over its bytes (no string, no
   * tree, no new parser: this runs for every chunk of every stream); false for the usage chunk to hide.
   */
  private boolean keep(byte[] data, int from, int to) {
    int at = dataLine(data, skipSpace(data, from, to), to);
    if (at < 0) {
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

  /**
   * Where the event's first {@code data:} line starts, at or after {@code at}: lines of other
   * fields before it ({@code event:} as the Responses API sends, {@code id:}, comments) are
   * skipped; -1 when it has none.
   */
  private static int dataLine(byte[] data, int at, int to) {
    while (to - at >= 5) {
      if (data[at] == 'd' && data[at + 1] == 'a' && data[at + 2] == 't' && data[at + 3] == 'a' && data[at + 4] == ':') {
        return at;
      }
      while (at < to && data[at] != '\n' && data[at] != '\r') {
        at++;
      }
      while (at < to && (data[at] == '\n' || data[at] == '\r')) {
        at++; // the line end (an empty line would have ended the event)
      }
    }
    return -1;
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
    boolean outputDelta = false; // a Responses event that carries output
    boolean nonEmptyDelta = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("type".equals(field) && value == JsonToken.VALUE_STRING) {
        outputDelta = isOutputDelta(parser.getText());
      } else if ("delta".equals(field) && value == JsonToken.VALUE_STRING) {
        nonEmptyDelta = parser.getTextLength() > 0;
      } else if ("response".equals(field) && value == JsonToken.START_OBJECT) {
        usageSeen |= readResponseObject(parser); // response.completed (and others) carry the response
      } else if ("choices".equals(field) && value == JsonToken.START_ARRAY) {
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
    if (outputDelta && nonEmptyDelta) {
      generated++;
      progress.generated(generated);
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

  /** The Responses stream's event types whose {@code delta} is generated output. */
  private static boolean isOutputDelta(String type) {
    return switch (type) {
      case "response.output_text.delta", "response.reasoning_text.delta", "response.reasoning_summary_text.delta",
          "response.function_call_arguments.delta", "response.refusal.delta" -> true;
      default -> false;
    };
  }

  /**
   * Reads a Responses event's {@code response} object (the parser is on its START_OBJECT) to its
   * end; true if it had a usage object, which was read.
   */
  private boolean readResponseObject(JsonParser parser) throws IOException {
    boolean usage = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("usage".equals(field) && value == JsonToken.START_OBJECT) {
        readUsageObject(parser);
        usage = true;
      } else {
        parser.skipChildren();
      }
    }
    return usage;
  }

  /**
   * Reads a usage object (the parser is on its START_OBJECT) to its end: chat's {@code
   * prompt_tokens} and {@code completion_tokens}, or the Responses API's {@code input_tokens} and
   * {@code output_tokens}.
   */
  private void readUsageObject(JsonParser parser) throws IOException {
    long prompt = -1;
    long completion = -1;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (("prompt_tokens".equals(field) || "input_tokens".equals(field)) && value == JsonToken.VALUE_NUMBER_INT) {
        prompt = parser.getLongValue();
      } else if (("completion_tokens".equals(field) || "output_tokens".equals(field))
          && value == JsonToken.VALUE_NUMBER_INT) {
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
