package io.sluice.sim.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.sim.engine.Profiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultsAndDisconnectTest {
    private static EngineOptions base() {
        return EngineOptions.local("qwen3-8b", 8192, Profiles.LLAMA3_8B_A100, 1.0);
    }

    /** Sends a streaming request on a raw socket and returns the socket after the first bytes arrive. */
    private static Socket openStream(int port, int outputTokens) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        String body = new JsonObject().put("model", "qwen3-8b").put("prompt", "x".repeat(2000)).put("stream", true).encode();
        String req = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "x-sim-output-tokens: " + outputTokens + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        OutputStream out = socket.getOutputStream();
        out.write(req.getBytes(StandardCharsets.UTF_8));
        out.flush();
        socket.setSoTimeout(5000);
        byte[] buf = new byte[4096];
        int n = socket.getInputStream().read(buf);
        assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
        return socket;
    }

    @Test
    void clientDisconnectFreesItsBlocksAtOnce() throws Exception {
        try (SimHttp sim = new SimHttp(base())) {
            Socket socket = openStream(sim.server.port(), 5000);
            Map<String, Double> busy = sim.awaitMetrics(m -> m.get("vllm:kv_cache_usage_perc") > 0);
            assertThat(busy.get("vllm:num_requests_running")).isEqualTo(1.0);

            socket.close();
            Map<String, Double> after = sim.awaitMetrics(m -> m.get("vllm:num_requests_running") == 0);

            assertThat(after.get("vllm:num_requests_running")).isZero();
            assertThat(after.get("vllm:kv_cache_usage_perc")).isZero();
            assertThat(after.get("vllm:generation_tokens_total")).isLessThan(5000);
        }
    }

    @Test
    void dropAfterTokensCutsTheStreamWithoutDone() throws Exception {
        try (SimHttp sim = new SimHttp(base().withFaults(new Faults(0, 0, 3, false, 0)))) {
            Socket socket = openStream(sim.server.port(), 50);
            InputStream in = socket.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            socket.close();

            assertThat(all).doesNotContain("[DONE]");
            Map<String, Double> m = sim.awaitMetrics(x -> x.get("vllm:num_requests_running") == 0);
            assertThat(m.get("vllm:generation_tokens_total")).isEqualTo(3.0);
            assertThat(m.get("vllm:kv_cache_usage_perc")).isZero();
        }
    }

    @Test
    void errorRateOneAnswersEveryRequestWith500() throws Exception {
        try (SimHttp sim = new SimHttp(base().withFaults(new Faults(1.0, 0, 0, false, 0)))) {
            var r = sim.post("/v1/chat/completions", SimHttp.chat("qwen3-8b", "hi"));

            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(new JsonObject(r.body()).getJsonObject("error").getInteger("code")).isEqualTo(500);
        }
    }

    @Test
    void addedLatencyDelaysTheAnswer() throws Exception {
        try (SimHttp sim = new SimHttp(base().withFaults(new Faults(0, 300, 0, false, 0)))) {
            long start = System.nanoTime();
            sim.get("/v1/models");

            assertThat((System.nanoTime() - start) / 1e6).isGreaterThanOrEqualTo(300.0);
        }
    }

    @Test
    void slowStartAnswers503UntilReady() throws Exception {
        try (SimHttp sim = new SimHttp(base().withFaults(new Faults(0, 0, 0, false, 60_000)))) {
            assertThat(sim.get("/health").statusCode()).isEqualTo(503);
            assertThat(sim.post("/v1/completions", new JsonObject().put("prompt", "x")).statusCode()).isEqualTo(503);
        }
    }

    @Test
    void refusedConnectionsAreClosedAtOnce() {
        try (SimHttp sim = new SimHttp(base().withFaults(new Faults(0, 0, 0, true, 0)))) {
            assertThatThrownBy(() -> sim.get("/health")).isInstanceOf(IOException.class);
        }
    }
}
