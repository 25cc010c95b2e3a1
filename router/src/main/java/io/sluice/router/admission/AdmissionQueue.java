package io.sluice.router.admission;

import io.sluice.crd.QueueSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool's waiting requests: in serving order (age-boosted priority, then arrival), and by
 * arrival for expiry, with every load figure kept incrementally as waiters come and go.
 *
 * <p>Concurrency: the sets and the order's state are guarded by the controller's queue lock, which
 * every mutating method expects to be held; the counters are atomics read without it.
 */
final class AdmissionQueue {
  private final long epoch;
  private final TreeSet<Waiter> order = new TreeSet<>(
      Comparator.comparingDouble((Waiter w) -> -w.key).thenComparingLong(w -> w.sequence));
  /** Waiters by arrival (a requeued request keeps its first arrival), for expiry. */
  private final TreeSet<Waiter> byAge = new TreeSet<>(
      Comparator.comparingLong((Waiter w) -> w.enqueuedAt).thenComparingLong(w -> w.sequence));
  private final QueueOrder tokenFair = QueueOrder.tokenFair();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong tokens = new AtomicLong();
  private final Map<String, AdmissionController.ClassCounters> perClass = new ConcurrentHashMap<>();
  /** Tokens queued per priority with a waiter (an entry goes when its last waiter leaves). */
  private final Map<Integer, Long> tokensByPriority = new ConcurrentHashMap<>();
  private long nextSequence;

  /** @param epoch the clock reading the queue's times count from */
  AdmissionQueue(long epoch) {
    this.epoch = epoch;
  }

  /** Which limit a new request of {@code size} tokens would break: {@code maxLength}, {@code maxQueuedTokens}, or null. Lock held. */
  String limitReached(QueueSpec limits, long size) {
    if (requests.get() >= limits.maxLength()) {
      return "maxLength";
    }
    if (tokens.get() + size > limits.maxQueuedTokens()) {
      return "maxQueuedTokens";
    }
    return null;
  }

  /** Queues a request that arrived at {@code arrivedAt}, ranked by the policy of {@code limits}. Lock held. */
  Waiter add(AdmissionController owner, AdmissionRequest request, AdmissionCallback callback, long arrivedAt,
      QueueSpec limits, double tokensPerSecond) {
    double seconds = QueueOrder.of(limits.policy(), tokenFair)
        .startSeconds(request, (arrivedAt - epoch) / 1e9, tokensPerSecond);
    double key = request.priority() - limits.ageBoostPerSecond() * seconds;
    Waiter waiter = new Waiter(owner, nextSequence++, request, arrivedAt, key, callback);
    order.add(waiter);
    byAge.add(waiter);
    count(waiter, +1);
    return waiter;
  }

  /** Takes a waiter out; false if it was no longer there. Lock held. */
  boolean unlink(Waiter waiter) {
    if (!order.remove(waiter)) {
      return false;
    }
    byAge.remove(waiter);
    count(waiter, -1);
    return true;
  }

  boolean isEmpty() {
    return order.isEmpty();
  }

  /** The waiter served next. Lock held; the queue must not be empty. */
  Waiter head() {
    return order.first();
  }

  /** When the longest-waiting request arrived; only when not empty. Lock held. */
  long oldestArrival() {
    return byAge.first().enqueuedAt;
  }

  /** The waiters after {@code head} in serving order (a live view: re-take it after a change). Lock held. */
  Iterator<Waiter> behind(Waiter head) {
    return order.tailSet(head, false).iterator();
  }

  /** Takes out and returns every waiter that has waited {@code maxWait} or longer by {@code now}. Lock held. */
  List<Waiter> expire(long now, long maxWait) {
    tokenFair.forgetBefore((now - epoch) / 1e9);
    List<Waiter> expired = new ArrayList<>();
    Iterator<Waiter> oldest = byAge.iterator();
    while (oldest.hasNext()) {
      Waiter waiter = oldest.next();
      if (now - waiter.enqueuedAt < maxWait) {
        break; // all waiters share one max wait, so the rest are younger
      }
      oldest.remove();
      order.remove(waiter);
      count(waiter, -1);
      expired.add(waiter);
    }
    return expired;
  }

  private void count(Waiter waiter, int sign) {
    long delta = sign * waiter.request.tokens();
    requests.addAndGet(sign);
    tokens.addAndGet(delta);
    AdmissionController.ClassCounters counters = counters(waiter.request.trafficClass());
    counters.requests.addAndGet(sign);
    counters.tokens.addAndGet(delta);
    tokensByPriority.compute(waiter.request.priority(), (p, queued) -> {
      long now = (queued == null ? 0 : queued) + delta;
      return now == 0 ? null : now;
    });
  }

  // ---- load figures, read without the lock ----

  int requests() {
    return requests.get();
  }

  long tokens() {
    return tokens.get();
  }

  AdmissionController.ClassCounters counters(String trafficClass) {
    return perClass.computeIfAbsent(trafficClass, c -> new AdmissionController.ClassCounters());
  }

  /** Tokens queued at {@code priority} or higher: what a new request of that priority waits behind. O(priorities in use). */
  long tokensAtOrAbove(int priority) {
    long ahead = 0;
    for (Map.Entry<Integer, Long> band : tokensByPriority.entrySet()) {
      if (band.getKey() >= priority) {
        ahead += band.getValue();
      }
    }
    return ahead;
  }

  Map<Integer, Long> tokensByPriority() {
    return Map.copyOf(tokensByPriority);
  }
}
