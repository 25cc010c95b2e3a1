package io.sluice.sim.bench;

import io.sluice.router.runtime.PrometheusText;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Emulated engines on 127.0.0.1 in this process, on their own Vert.x instance, fresh per run. */
public final class EngineCluster implements AutoCloseable {
  private final Vertx vertx;
  private final List<String> urls;

  private EngineCluster(Vertx vertx, List<String> urls) {
    this.vertx = vertx;
    this.urls = urls;
  }

  /** Starts {@code count} llama3-8b-a100 engines with {@code kvTokens} of KV cache each. */
  public static EngineCluster start(int count, String model, int kvTokens, double timeScale) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      EngineServer engine = EngineServer.deploy(vertx, new EngineOptions("127.0.0.1", 0, model, List.of(),
          EngineConfig.of(kvTokens, Profiles.LLAMA3_8B_A100), timeScale, null, 42 + i, "lognormal:200:0.8",
          EngineOptions.Flavor.VLLM, Faults.NONE)).await(30, TimeUnit.SECONDS);
      urls.add("http://127.0.0.1:" + engine.port());
    }
    return new EngineCluster(vertx, urls);
  }

  public List<String> urls() {
    return urls;
  }

  /** The sum of {@code vllm:num_preemptions_total} over the engines' metrics pages. */
  public long preemptions() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    double total = 0;
    for (String url : urls) {
      String text = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      total += PrometheusText.parse(text).sum("vllm:num_preemptions_total");
    }
    return Math.round(total);
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
