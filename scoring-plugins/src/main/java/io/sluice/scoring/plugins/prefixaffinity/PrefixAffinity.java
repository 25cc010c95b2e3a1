package io.sluice.scoring.plugins.prefixaffinity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sluice.scoring.Endpoint;
import io.sluice.scoring.PickObserver;
import io.sluice.scoring.PluginArgs;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;
import java.util.Arrays;
import java.util.List;

/**
 * Sends prompts that share a prefix to the pods that recently served it, where the engine's
 * prefix cache likely still holds it. The prompt text is cut into blocks of {@code blockTokens x
 * 4} characters (at most {@code maxBlocks}, full blocks only); block i's hash chains block i-1's
 * hash, so equal hashes mean equal prefixes. {@code score = matched / total}: the leading blocks
 * whose hash this pod served, over the request's blocks (0 for a prompt shorter than a block).
 * Learns from each pick; the block table is a bounded Caffeine cache of {@code capacity} hashes,
 * each remembering its {@value PodSet#MAX_PODS} most recent pods.
 */
public final class PrefixAffinity implements Scorer, PickObserver {
  public static final String TYPE = "prefix-affinity";
  /** The router's fallback estimate: a token is about four characters. */
  static final int CHARS_PER_TOKEN = 4;

  /**
   * @param blockTokens tokens per block (default 64)
   * @param maxBlocks blocks of a prompt considered (default 32)
   * @param capacity block hashes remembered (default 100,000)
   */
  public record Args(Integer blockTokens, Integer maxBlocks, Long capacity) {
    public Args {
      blockTokens = PluginArgs.atMost("blockTokens",
          PluginArgs.atLeast("blockTokens", blockTokens, 1, 64), 1 << 20);
      maxBlocks = PluginArgs.atMost("maxBlocks", PluginArgs.atLeast("maxBlocks", maxBlocks, 1, 32),
          4096);
      capacity = PluginArgs.atLeast("capacity", capacity, 1L, 100_000L);
    }
  }

  private final int blockChars;
  private final int maxBlocks;
  private final Cache<Long, PodSet> blocks;
  /** The hashes scored last on this thread, reused by the pick that normally follows. */
  private final ThreadLocal<Hashed> lastScored = new ThreadLocal<>();

  public PrefixAffinity(Args args) {
    this.blockChars = args.blockTokens() * CHARS_PER_TOKEN;
    this.maxBlocks = args.maxBlocks();
    // Maintenance on the calling thread: bounded work, no pool threads.
    this.blocks = Caffeine.newBuilder().maximumSize(args.capacity()).executor(Runnable::run).build();
  }

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    double[] out = new double[1];
    scoreAll(request, List.of(endpoint), out);
    return out[0];
  }

  @Override
  public void scoreAll(ScoringRequest request, List<Endpoint> candidates, double[] out) {
    int n = candidates.size();
    Arrays.fill(out, 0, n, 0);
    long[] hashes = hashes(request);
    lastScored.set(new Hashed(request, hashes));
    // out[i] counts the leading blocks candidate i served; it stops growing at its first miss.
    for (int b = 0; b < hashes.length; b++) {
      PodSet pods = blocks.getIfPresent(hashes[b]);
      if (pods == null) {
        break;
      }
      boolean extended = false;
      for (int i = 0; i < n; i++) {
        if (out[i] == b && pods.contains(candidates.get(i).id())) {
          out[i] = b + 1;
          extended = true;
        }
      }
      if (!extended) {
        break;
      }
    }
    for (int i = 0; i < n && hashes.length > 0; i++) {
      out[i] /= hashes.length;
    }
  }

  @Override
  public void picked(ScoringRequest request, Endpoint chosen) {
    String id = chosen.id();
    Hashed last = lastScored.get();
    lastScored.remove();
    long[] hashes = last != null && last.request() == request ? last.hashes() : hashes(request);
    for (long hash : hashes) {
      PodSet known = blocks.getIfPresent(hash);
      if (known != null && known.newest().equals(id)) {
        continue; // a read, not a write, for the common repeat: no contention on hot prefixes
      }
      blocks.asMap().compute(hash, (k, pods) -> pods == null ? PodSet.of(id) : pods.with(id));
    }
  }

  private long[] hashes(ScoringRequest request) {
    return BlockHashes.of(request.model(), request.promptText(), blockChars, maxBlocks);
  }

  private record Hashed(ScoringRequest request, long[] hashes) {}

  /** Block hashes held now, after pending evictions. */
  long size() {
    blocks.cleanUp();
    return blocks.estimatedSize();
  }
}
