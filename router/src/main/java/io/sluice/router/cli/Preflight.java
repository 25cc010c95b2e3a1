package io.sluice.router.cli;

import io.sluice.crd.TokenizerType;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.estimate.TokenEstimators;
import io.sluice.router.proxy.TlsFiles;
import io.sluice.router.runtime.ApiKeyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a configuration points at, loaded the way {@code serve} loads them: each pool's
 * tokenizer, each class's API key files, the TLS certificate and key. {@code validate} reports what
 * would fail; {@code serve} refuses to start on the same problems instead of starting with classes
 * whose keys it cannot read.
 */
final class Preflight {
  private Preflight() {}

  /**
   * What cannot be loaded, one line each; empty when everything can.
   *
   * @param tokenizers whether to load the tokenizers too ({@code serve} loads them as it builds the pools)
   */
  static List<String> problems(SluiceConfig config, boolean tokenizers) {
    List<String> problems = new ArrayList<>();
    if (tokenizers) {
      for (PoolConfig pool : config.pools()) {
        if (pool.spec().tokenizer().type() == TokenizerType.ENGINE) {
          continue; // counted by the pods at run time; nothing to load
        }
        try {
          TokenEstimators.counter(pool.spec().tokenizer(), Path.of(""), null, reason -> { });
        } catch (RuntimeException e) {
          problems.add("ModelPool/" + pool.name() + ": spec.tokenizer: " + message(e));
        }
      }
    }
    for (TrafficClassConfig trafficClass : config.classes()) {
      for (String file : trafficClass.spec().match().apiKeyFiles()) {
        try {
          ApiKeyFiles.read(Path.of(file));
        } catch (IOException | RuntimeException e) {
          problems.add("TrafficClass/" + trafficClass.name() + ": spec.match.apiKeyFiles: " + message(e));
        }
      }
    }
    if (config.settings().tls() != null) {
      try {
        new TlsFiles(config.settings().tls()).read();
      } catch (RuntimeException e) {
        problems.add("RouterSettings: spec.tls: " + message(e));
      }
    }
    return problems;
  }

  private static String message(Throwable e) {
    StringBuilder out = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && !out.toString().contains(cause.getMessage())) {
        out.append(": ").append(cause.getMessage());
      }
    }
    return out.toString();
  }
}
