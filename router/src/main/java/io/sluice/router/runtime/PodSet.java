package io.sluice.router.runtime;

import io.sluice.router.admission.AdaptiveBudget;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A pool's membership: which pods are in it, and what the runtime knows of each of them (its
 * health, its latest scrape, its adaptive limit) kept together in one {@link Member}, so that a pod
 * leaving takes all of it along and a pod replaced under the same id starts from nothing. The
 * pool's pod list ({@link Pool#pods()}) is published from here; the admission ledger hears of each
 * pod that leaves or joins through {@link Changes}, before the new set is published.
 */
final class PodSet {
  /*
   * Concurrency: copy-on-write. Readers (request paths, scrapes, the timer) take the current
   * snapshot from a volatile field without locking. replace() is called by one writer at a time
   * (PoolRuntime holds its lock); it tells Changes first and publishes last, so a request that sees
   * a pod in the pool finds it in the ledger too. A Member's own fields are volatile; its adaptive
   * limit is only updated under PoolRuntime's lock.
   */

  /** One pod of the set and the runtime's state for it. */
  static final class Member {
    final Pod pod;
    /** Replaced when the pool's health thresholds change. */
    volatile PodHealth health;
    /** The latest scrape of the pod's metrics page, or null before the first. */
    volatile EngineSample sample;
    /** The pod's adaptive limit ({@code budget.limit: adaptive}), or null before the first step of it. */
    volatile AdaptiveBudget limit;

    Member(Pod pod, PodHealth health) {
      this.pod = pod;
      this.health = health;
    }

    String id() {
      return pod.id();
    }

    /** The engine's KV size in tokens from the latest scrape; 0 before any. */
    long kvCapacityTokens() {
      EngineSample latest = sample;
      return latest == null ? 0 : latest.kvCapacityTokens();
    }

    /** The adaptive limit in force; negative before there is one. */
    long adaptiveLimit() {
      AdaptiveBudget current = limit;
      return current == null ? -1 : current.limit();
    }
  }

  /** What the pool's admission ledger is told while a new pod set is applied. */
  interface Changes {
    /** The pod of this id left the set (or its address changed, and it joins again anew). */
    void left(String podId);

    /** A pod joined the set; {@code member} is not published yet. */
    void joined(Member member);
  }

  private final Pool pool;
  /** Insertion-ordered and never modified once published. */
  private volatile Map<String, Member> members = Map.of();

  PodSet(Pool pool) {
    this.pool = pool;
  }

  /** The member with this id, or null. */
  Member member(String podId) {
    return members.get(podId);
  }

  /** Every member, a snapshot. */
  Collection<Member> all() {
    return members.values();
  }

  int size() {
    return members.size();
  }

  /**
   * Makes {@code pods} the set (a later pod of an id already listed replaces the earlier). Pods
   * gone or at a new address leave and are told to {@code changes} first, then the new ones join
   * with health from {@code health}; the set and the pool's pod list are published last. Returns
   * the ids of the pods that left. Callers are serialized.
   */
  List<String> replace(List<Pod> pods, Supplier<PodHealth> health, Changes changes) {
    Map<String, Pod> wanted = new LinkedHashMap<>();
    pods.forEach(pod -> wanted.put(pod.id(), pod));
    Map<String, Member> current = members;
    List<String> left = new ArrayList<>();
    current.forEach((id, member) -> {
      if (!member.pod.equals(wanted.get(id))) {
        changes.left(id);
        left.add(id);
      }
    });
    Map<String, Member> next = new LinkedHashMap<>();
    wanted.forEach((id, pod) -> {
      Member kept = current.get(id);
      if (kept != null && kept.pod.equals(pod)) {
        next.put(id, kept);
      } else {
        Member joined = new Member(pod, health.get());
        changes.joined(joined);
        next.put(id, joined);
      }
    });
    members = Collections.unmodifiableMap(next);
    pool.setPods(List.copyOf(wanted.values()));
    return left;
  }
}
