package io.sluice.sim.cli;

import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profile;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code demo}: emulated engines and the router in front of them on loopback, with a default
 * configuration, so Sluice can be tried without a cluster or a GPU.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start emulated engines and the Sluice router on 127.0.0.1; stay up until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "Router data port (default: ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--admin-port", defaultValue = "9090", description = "Router admin port (default: ${DEFAULT-VALUE}).")
    int adminPort;
    @Option(names = "--engine-ports", split = ",", defaultValue = "8001,8002",
            description = "Ports of the emulated engines (default: ${DEFAULT-VALUE}).")
    List<Integer> enginePorts;
    @Mixin
    ModelOption modelOption;
    @Option(names = "--kv-tokens", defaultValue = "20000", description = "KV-cache tokens per engine (default: ${DEFAULT-VALUE}).")
    int kvTokens;
    @Option(names = "--time-scale", defaultValue = "1.0", description = "Engine model speed-up (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Override
    public Integer call() throws Exception {
        String model = modelOption.model;
        Profile profile = Profiles.byName("llama3-8b-a100").orElseThrow();
        Vertx vertx = Vertx.vertx();
        List<String> endpoints = new ArrayList<>();
        for (int enginePort : enginePorts) {
            EngineOptions options = new EngineOptions("127.0.0.1", enginePort, model, List.of(),
                    EngineConfig.of(kvTokens, profile), timeScale, null, 42 + enginePort, "lognormal:200:0.8",
                    EngineOptions.Flavor.VLLM, Faults.NONE);
            EngineServer engine = EngineServer.deploy(vertx, options).await(30, TimeUnit.SECONDS);
            endpoints.add("http://127.0.0.1:" + engine.port());
        }
        String yaml = """
                apiVersion: sluice.io/v1alpha1
                kind: ModelPool
                metadata: {name: demo}
                spec:
                  models: [%s]
                  endpoints: [%s]
                  engine: vllm
                """.formatted(model, endpoints.stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", ")));
        ConfigLoader.Result config = ConfigLoader.parse(yaml, "demo");
        if (!config.ok()) {
            config.problems().forEach(System.err::println);
            vertx.close();
            return 1;
        }
        SluiceServer router = SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(port, adminPort))
                .await(30, TimeUnit.SECONDS);
        // The banner promises a working curl: wait until the engines have reported their KV size
        // (the pool's budget comes from it) rather than print it while requests would get 503.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!router.ready() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (!router.ready()) {
            System.err.println("the router is not ready after 30 s: " + router.readiness());
        }
        System.out.printf("""

                Sluice demo: router on http://127.0.0.1:%d (admin http://127.0.0.1:%d), \
                %d emulated engines: %s
                Try a streamed chat completion:

                  curl -N http://127.0.0.1:%d/v1/chat/completions -H 'Content-Type: application/json' \\
                    -d '{"model":"%s","stream":true,"max_tokens":32,"messages":[{"role":"user","content":"Hello!"}]}'

                Metrics: curl http://127.0.0.1:%d/metrics     Stop: Ctrl-C
                %n""", router.port(), router.adminPort(), endpoints.size(), endpoints, router.port(), model,
                router.adminPort());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.shutdown().eventually(vertx::close).onComplete(done -> stopped.countDown());
            try {
                stopped.await(40, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        stopped.await();
        return 0;
    }
}
