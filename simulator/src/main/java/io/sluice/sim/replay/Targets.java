package io.sluice.sim.replay;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where requests go: one base URL, or several taken in turn (client-side round robin). Only
 * loopback addresses are accepted: this load generator is for benchmarks on one machine.
 */
public final class Targets {
  private final List<URI> bases;
  private final AtomicInteger next = new AtomicInteger();

  private Targets(List<URI> bases) {
    this.bases = List.copyOf(bases);
  }

  /** Parses base URLs such as {@code http://127.0.0.1:8080}; refuses any non-loopback host. */
  public static Targets of(List<String> urls) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no target");
    }
    return new Targets(urls.stream().map(Targets::loopback).toList());
  }

  public static Targets of(String... urls) {
    return of(List.of(urls));
  }

  /** The next base URL in round-robin order. */
  public URI next() {
    return bases.get(Math.floorMod(next.getAndIncrement(), bases.size()));
  }

  public List<URI> all() {
    return bases;
  }

  private static URI loopback(String url) {
    URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("target must be http://HOST:PORT, got " + url);
    }
    try {
      if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
        throw new IllegalArgumentException("target must be a loopback address, got " + uri.getHost());
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host " + uri.getHost(), e);
    }
    return uri;
  }
}
