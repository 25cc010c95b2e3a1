package io.sluice.router.proxy;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Which headers cross the proxy: everything but hop-by-hop headers (RFC 9110 section 7.6.1). */
final class Headers {
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect", "http2-settings");

  private Headers() {}

  /**
   * A pod's response headers for the client: its {@code x-request-id} is the router's (already on
   * the response), and CORS is the router's decision, not the engine's (vLLM allows every origin by
   * default), so the engine's {@code access-control-*} headers are dropped.
   */
  static void copyResponse(MultiMap from, MultiMap to) {
    String connection = from.get("connection");
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || listedIn(connection, name) || name.equals(RequestId.HEADER)
          || name.startsWith("access-control-")) {
        continue;
      }
      to.add(header.getKey(), header.getValue());
    }
  }

  static void copy(MultiMap from, MultiMap to) {
    String connection = from.get("connection");
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || listedIn(connection, name)) {
        continue;
      }
      to.add(header.getKey(), header.getValue());
    }
  }

  /** Headers named in a Connection header are hop-by-hop too. */
  private static boolean listedIn(String connection, String name) {
    if (connection == null) {
      return false;
    }
    for (String token : connection.split(",")) {
      if (token.trim().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
