package io.sluice.router.coordination;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An in-memory {@link SharedLedger} that grants as {@link RedisLedger}'s script does (without
 * lapsing: shares stay until dropped), answers at once, and can be told to fail or to stay silent.
 * Every lease call is kept, for the tests to read.
 */
final class FakeLedger implements SharedLedger {
  enum Mode { ANSWER, FAIL, SILENT, THROW }

  record Call(String pod, String replica, long want, long keep, long atLeast, long budget) {}

  private final Map<String, Map<String, Long>> shares = new HashMap<>();
  private final Map<String, Map<String, Long>> waiting = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private Mode mode = Mode.ANSWER;

  synchronized void mode(Mode mode) {
    this.mode = mode;
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Another replica's record: its share and what it waits for. */
  synchronized void other(String pod, String replica, long share, long waits) {
    shares.computeIfAbsent(pod, p -> new HashMap<>()).put(replica, share);
    waiting.computeIfAbsent(pod, p -> new HashMap<>()).put(replica, waits);
  }

  synchronized long share(String pod, String replica) {
    return shares.getOrDefault(pod, Map.of()).getOrDefault(replica, 0L);
  }

  synchronized boolean records(String pod, String replica) {
    return shares.getOrDefault(pod, Map.of()).containsKey(replica);
  }

  @Override
  public synchronized CompletionStage<Grant> lease(String pool, String pod, String replica, long want, long keep,
      long atLeast, long budget) {
    calls.add(new Call(pod, replica, want, keep, atLeast, budget));
    switch (mode) {
      case FAIL:
        return CompletableFuture.failedFuture(new IllegalStateException("ledger away"));
      case SILENT:
        return new CompletableFuture<>();
      case THROW: // a broken adapter: throws instead of failing its future
        throw new IllegalStateException("ledger adapter bug");
      case ANSWER:
      default:
        break;
    }
    Map<String, Long> podShares = shares.computeIfAbsent(pod, p -> new HashMap<>());
    Map<String, Long> podWaits = waiting.computeIfAbsent(pod, p -> new HashMap<>());
    long others = podShares.entrySet().stream().filter(e -> !e.getKey().equals(replica))
        .mapToLong(Map.Entry::getValue).sum();
    long othersWaiting = podWaits.entrySet().stream().filter(e -> !e.getKey().equals(replica))
        .mapToLong(Map.Entry::getValue).sum();
    long granted = Math.min(want, Math.max(0, budget - others));
    if (granted < atLeast) {
      granted = 0;
    }
    granted = Math.max(granted, keep);
    if (want <= 0 && keep <= 0) {
      podShares.remove(replica);
      podWaits.remove(replica);
      return CompletableFuture.completedFuture(new Grant(0, othersWaiting));
    }
    podShares.put(replica, granted);
    if (want > granted) {
      podWaits.put(replica, want - granted);
    } else {
      podWaits.remove(replica);
    }
    return CompletableFuture.completedFuture(new Grant(granted, othersWaiting));
  }

  @Override
  public synchronized CompletionStage<Long> shareOf(String pool, String pod, String replica) {
    return CompletableFuture.completedFuture(share(pod, replica));
  }

  @Override
  public synchronized CompletionStage<Long> total(String pool, String pod) {
    return CompletableFuture.completedFuture(shares.getOrDefault(pod, Map.of()).values().stream()
        .mapToLong(Long::longValue).sum());
  }
}
