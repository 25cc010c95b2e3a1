package io.sluice.sim.server;

import io.sluice.router.runtime.PrometheusText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/** A running emulator on loopback plus a blocking client for the tests. */
final class SimHttp implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final EngineServer server;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SimHttp(EngineOptions options) {
        server = EngineServer.deploy(vertx, options).await();
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpResponse<String> post(String path, JsonObject body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(15))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Metric values by series name, labels dropped (the first series of a name wins). */
    Map<String, Double> metrics() throws IOException, InterruptedException {
        Map<String, Double> out = new HashMap<>();
        for (PrometheusText.Sample sample : PrometheusText.parse(get("/metrics").body()).samples()) {
            out.putIfAbsent(sample.name(), sample.value());
        }
        return out;
    }

    /** Polls /metrics until the predicate holds or 5 s pass; returns the last reading. */
    Map<String, Double> awaitMetrics(Predicate<Map<String, Double>> until) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Map<String, Double> m = metrics();
        while (!until.test(m) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            m = metrics();
        }
        return m;
    }

    static JsonObject chat(String model, String content) {
        return new JsonObject().put("model", model).put("messages",
                new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
