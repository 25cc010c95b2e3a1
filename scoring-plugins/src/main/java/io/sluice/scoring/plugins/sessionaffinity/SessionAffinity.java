package io.sluice.scoring.plugins.sessionaffinity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.sluice.scoring.Endpoint;
import io.sluice.scoring.PickObserver;
import io.sluice.scoring.PluginArgs;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;
import java.time.Duration;
import java.util.List;

/**
 * Keeps a conversation on its pod: remembers {@code sessionKey -> pod} of each pick, and scores 1
 * for that pod while the request still fits its budget ({@code reservation <= budget -
 * reserved}), 0 for every other pod and for requests without a session key. The table is a
 * bounded Caffeine cache whose entries expire {@code ttlSeconds} after their last use. Args:
 * {@code ttlSeconds} (default 600), {@code capacity} (default 100,000 sessions).
 */
public final class SessionAffinity implements Scorer, PickObserver {
  public static final String TYPE = "session-affinity";

  /**
   * @param ttlSeconds how long an idle session stays tied to its pod
   * @param capacity sessions remembered at once
   */
  public record Args(Long ttlSeconds, Long capacity) {
    public Args {
      ttlSeconds = PluginArgs.atLeast("ttlSeconds", ttlSeconds, 1L, 600L);
      capacity = PluginArgs.atLeast("capacity", capacity, 1L, 100_000L);
    }
  }

  private final Cache<String, String> sessions;

  /** @param ticker the clock of expiry, nanoseconds ({@link Ticker#systemTicker()} in service) */
  public SessionAffinity(Args args, Ticker ticker) {
    this.sessions = Caffeine.newBuilder()
        .maximumSize(args.capacity())
        .expireAfterAccess(Duration.ofSeconds(args.ttlSeconds()))
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
  }

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    String key = request.sessionKey();
    return key != null && score(request, endpoint, sessions.getIfPresent(key)) ? 1 : 0;
  }

  @Override
  public void scoreAll(ScoringRequest request, List<Endpoint> candidates, double[] out) {
    String key = request.sessionKey();
    String pod = key == null ? null : sessions.getIfPresent(key);
    for (int i = 0, n = candidates.size(); i < n; i++) {
      out[i] = score(request, candidates.get(i), pod) ? 1 : 0;
    }
  }

  private static boolean score(ScoringRequest request, Endpoint endpoint, String pod) {
    return pod != null && pod.equals(endpoint.id())
        && request.reservationTokens() <= endpoint.budgetTokens() - endpoint.reservedTokens();
  }

  @Override
  public void picked(ScoringRequest request, Endpoint chosen) {
    if (request.sessionKey() != null) {
      sessions.put(request.sessionKey(), chosen.id());
    }
  }

  /** Sessions held now, after pending expiry and eviction. */
  long size() {
    sessions.cleanUp();
    return sessions.estimatedSize();
  }
}
