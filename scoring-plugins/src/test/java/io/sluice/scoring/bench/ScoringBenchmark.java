package io.sluice.scoring.bench;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.EndpointSnapshot;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.PluginRegistry;
import io.sluice.scoring.ProfileConfig;
import io.sluice.scoring.ProfileException;
import io.sluice.scoring.RequestSnapshot;
import io.sluice.scoring.ScoringProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ScoringProfile#pick} with the default profile over a pool of pods with random load and
 * fresh engine metrics, for a request whose 4,000-character prompt shares its first half with
 * earlier requests (so prefix-affinity finds, hashes and learns blocks every call). Run as
 * described in docs/scoring.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ScoringBenchmark {
  @Param({"10", "100"})
  int pods;

  /** The default profile, and the same without prefix-affinity (to show what hashing costs). */
  @Param({"default", "no-prefix"})
  String profileName;

  ScoringProfile profile;
  List<Endpoint> candidates;
  RequestSnapshot[] requests;
  int next;

  @Setup
  public void setUp() throws ProfileException {
    ProfileConfig config = profileName.equals("default") ? ProfileConfig.defaults()
        : new ProfileConfig(null, ProfileConfig.DEFAULT_SCORERS.stream()
            .filter(p -> !p.name().equals("prefix-affinity")).toList(), null);
    profile = PluginRegistry.load(getClass().getClassLoader()).build(config);
    SplittableRandom random = new SplittableRandom(1);
    candidates = new ArrayList<>();
    for (int i = 0; i < pods; i++) {
      long budget = 200_000;
      candidates.add(new EndpointSnapshot("pod-" + i, budget, random.nextLong(budget / 2),
          random.nextInt(16), random.nextLong(50_000),
          EngineMetrics.of(random.nextInt(32), random.nextInt(8), random.nextDouble())));
    }
    String shared = "You are a helpful assistant. ".repeat(70).substring(0, 2000);
    requests = new RequestSnapshot[64];
    for (int i = 0; i < requests.length; i++) {
      String own = ("question " + i + " ").repeat(200).substring(0, 2000);
      requests[i] = RequestSnapshot.of("qwen3-8b", 1500).withPrompt(shared + own);
    }
  }

  @Benchmark
  public Endpoint pickDefaultProfile() {
    RequestSnapshot request = requests[next++ & (requests.length - 1)];
    return profile.pick(request, candidates);
  }
}
