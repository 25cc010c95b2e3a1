package io.sluice.router.pool;

import java.net.URI;

/**
 * One serving pod as the router addresses it.
 *
 * @param id stable name for logs and metrics ({@code host:port})
 * @param host host name or IP
 * @param port TCP port
 * @param tls whether to speak HTTPS to it
 */
public record Pod(String id, String host, int port, boolean tls) {

  /** A pod from a validated static endpoint URL such as {@code http://127.0.0.1:8001}. */
  public static Pod fromUrl(String url) {
    URI uri = URI.create(url);
    boolean tls = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    return new Pod(uri.getHost() + ":" + port, uri.getHost(), port, tls);
  }
}
