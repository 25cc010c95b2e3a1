package io.sluice.sim.cluster;

import io.sluice.sim.replay.TraceRecord;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The requests of one simulation, in arrival order: arrival offset, prompt and output tokens, and
 * the shared prefix (group and length) a prompt starts with, if any. Prompts are synthetic token
 * ids: the first {@code prefixTokens} depend only on the group (so equal groups share KV blocks and
 * prefix-affinity hashes), the rest only on the request.
 */
public final class Workload {
  /** The synthetic mixes. */
  public enum Mix {
    /** Short chat: prompts ~400 tokens, outputs ~180, Poisson arrivals. */
    CHAT,
    /** Long-context retrieval: prompts ~6,000 tokens, outputs ~150. */
    RAG,
    /** Agents: 32 system prompts of 2,048 tokens shared by many requests, plus ~300 of their own. */
    AGENTS,
    /** Short chat arriving in bursts: 2 s at 6x the mean rate every 20 s, the rest in between. */
    BURSTS,
    /** 50% chat, 20% RAG, 30% agents, Poisson arrivals. */
    MIX;

    public static Mix parse(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  final String name;
  final long[] offsets;
  final int[] prompt;
  final int[] output;
  /** Shared-prefix group, -1 for none. */
  final int[] group;
  final int[] prefixTokens;

  private Workload(String name, long[] offsets, int[] prompt, int[] output, int[] group, int[] prefixTokens) {
    this.name = name;
    this.offsets = offsets;
    this.prompt = prompt;
    this.output = output;
    this.group = group;
    this.prefixTokens = prefixTokens;
  }

  public int size() {
    return offsets.length;
  }

  public String name() {
    return name;
  }

  /** Mean prompt plus output tokens of a request. */
  public double meanWork() {
    long sum = 0;
    for (int i = 0; i < size(); i++) {
      sum += prompt[i] + output[i];
    }
    return size() == 0 ? Double.NaN : (double) sum / size();
  }

  /** Mean arrival rate per second over the whole workload. */
  public double meanRate() {
    int n = size();
    return n > 1 && offsets[n - 1] > 0 ? (n - 1) / (offsets[n - 1] / 1e9) : Double.NaN;
  }

  /**
   * The first {@code requests} records of a trace (all of them when 0). A trace shorter than that
   * is replayed again from its start, one mean gap after its end, as {@code replay} does.
   */
  public static Workload fromTrace(String name, List<TraceRecord> trace, int requests) {
    int n = trace.size();
    int count = requests > 0 ? requests : n;
    long span = trace.get(n - 1).offsetNanos();
    double meanGap = n > 1 && span > 0 ? (double) span / (n - 1) : 1e9;
    double cycle = span + meanGap;
    long[] offsets = new long[count];
    int[] prompt = new int[count];
    int[] output = new int[count];
    for (int i = 0; i < count; i++) {
      TraceRecord r = trace.get(i % n);
      offsets[i] = Math.round((double) (i / n) * cycle) + r.offsetNanos();
      prompt[i] = Math.max(1, r.promptTokens());
      output[i] = Math.max(1, r.outputTokens());
    }
    int[] none = new int[count];
    java.util.Arrays.fill(none, -1);
    return new Workload(name, offsets, prompt, output, none, new int[count]);
  }

  /** Exactly these requests, with no shared prefixes (for tests and hand-made scenarios). */
  public static Workload of(String name, long[] offsets, int[] prompt, int[] output) {
    int[] none = new int[offsets.length];
    java.util.Arrays.fill(none, -1);
    return new Workload(name, offsets.clone(), prompt.clone(), output.clone(), none, new int[offsets.length]);
  }

  /** {@code requests} requests of a synthetic mix at a mean rate of one per second, from {@code seed}. */
  public static Workload synthetic(Mix mix, int requests, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] offsets = new long[requests];
    int[] prompt = new int[requests];
    int[] output = new int[requests];
    int[] group = new int[requests];
    int[] prefix = new int[requests];
    double t = 0;
    for (int i = 0; i < requests; i++) {
      offsets[i] = Math.round(t * 1e9);
      t += mix == Mix.BURSTS ? burstGap(random, t) : exponential(random, 1.0);
      Mix kind = mix;
      if (mix == Mix.MIX) {
        double u = random.nextDouble();
        kind = u < 0.5 ? Mix.CHAT : u < 0.7 ? Mix.RAG : Mix.AGENTS;
      }
      group[i] = -1;
      switch (kind) {
        case RAG -> {
          prompt[i] = lognormal(random, 6000, 0.3, 2000, 12000);
          output[i] = lognormal(random, 150, 0.6, 8, 800);
        }
        case AGENTS -> {
          group[i] = random.nextInt(32);
          prefix[i] = 2048;
          prompt[i] = 2048 + lognormal(random, 300, 0.8, 16, 4000);
          output[i] = lognormal(random, 120, 0.7, 4, 800);
        }
        default -> {
          prompt[i] = lognormal(random, 400, 0.7, 16, 4000);
          output[i] = lognormal(random, 180, 0.7, 4, 1000);
        }
      }
    }
    return new Workload(mix.name().toLowerCase(Locale.ROOT), offsets, prompt, output, group, prefix);
  }

  /** Bursts: for 2 s of every 20 s the rate is 6 per second, else 4/9 per second (mean 1). */
  private static double burstGap(SplittableRandom random, double t) {
    boolean burst = t % 20 < 2;
    return exponential(random, burst ? 6.0 : 4.0 / 9.0);
  }

  private static double exponential(SplittableRandom random, double rate) {
    return -Math.log(1 - random.nextDouble()) / rate;
  }

  private static int lognormal(SplittableRandom random, double median, double sigma, int min, int max) {
    double u1 = 1 - random.nextDouble();
    double u2 = random.nextDouble();
    double normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return (int) Math.max(min, Math.min(max, Math.round(median * Math.exp(sigma * normal))));
  }

  /**
   * This workload with every arrival offset multiplied by one factor so that its mean rate is
   * {@code ratePerSecond}: the burst shape is kept, only time is stretched or squeezed.
   */
  public Workload atRate(double ratePerSecond) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    double factor = meanRate() / ratePerSecond;
    if (Double.isNaN(factor)) {
      return this;
    }
    long[] scaled = new long[size()];
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = Math.round(offsets[i] * factor);
    }
    return new Workload(name, scaled, prompt, output, group, prefixTokens);
  }

  /** The first {@code count} requests (all when the workload is shorter). */
  public Workload first(int count) {
    int n = Math.min(count, size());
    return new Workload(name, java.util.Arrays.copyOf(offsets, n), java.util.Arrays.copyOf(prompt, n),
        java.util.Arrays.copyOf(output, n), java.util.Arrays.copyOf(group, n), java.util.Arrays.copyOf(prefixTokens, n));
  }

  /** Token id {@code position} of request {@code i}'s prompt. */
  int token(int i, int position) {
    long key = position < prefixTokens[i] ? 0x5eed_0000_0000L + ((long) group[i] << 20) : (long) i << 20;
    return (int) (mix(key ^ position) & 0x7fff_ffff) % 150_000;
  }

  int[] promptTokens(int i) {
    int[] tokens = new int[prompt[i]];
    for (int p = 0; p < tokens.length; p++) {
      tokens[p] = token(i, p);
    }
    return tokens;
  }

  /**
   * The prompt as text for prefix hashing: four characters per token (the router's fallback
   * ratio), at most {@code maxChars} characters.
   */
  String promptText(int i, int maxChars) {
    int tokens = Math.min(prompt[i], maxChars / 4);
    char[] text = new char[tokens * 4];
    for (int p = 0; p < tokens; p++) {
      int t = token(i, p);
      for (int c = 0; c < 4; c++) {
        text[p * 4 + c] = (char) ('a' + (t >>> (c * 5)) % 26);
      }
    }
    return new String(text);
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
