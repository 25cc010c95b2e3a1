package io.sluice.router.proxy;

import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code x-request-id} that follows a request across router and engine: the client's when it
 * sent a usable one (1 to {@value #MAX_LENGTH} characters from {@code [A-Za-z0-9._:+=/-]}, so it
 * can go into a log line and a header unescaped), else a new random one of 32 hex digits. It is
 * an identifier, not a secret: a fast non-cryptographic random is enough.
 */
public final class RequestId {
  public static final String HEADER = "x-request-id";
  static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestId() {}

  /** The id of {@code request}: its own header's if usable, else a generated one. */
  static String of(HttpServerRequest request) {
    String sent = request.getHeader(HEADER);
    return usable(sent) ? sent : generate();
  }

  static boolean usable(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '_' || c == ':' || c == '+' || c == '=' || c == '/' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    long high = random.nextLong();
    long low = random.nextLong();
    for (int i = 0; i < 16; i++) {
      out[15 - i] = HEX[(int) (high >>> (i * 4)) & 0xf];
      out[31 - i] = HEX[(int) (low >>> (i * 4)) & 0xf];
    }
    return new String(out);
  }
}
