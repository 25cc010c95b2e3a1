package io.sluice.router.admission;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.QueuePolicy;
import io.sluice.crd.QueueSpec;
import io.sluice.crd.Shedding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Token-budget admission for one pool: reserve on a pod if the request fits, else wait in a
 * bounded queue ordered by age-boosted priority, woken when capacity frees up.
 *
 * <p>Concurrency: the pods' counters are lock-free ({@link PodBudget}). The queue is guarded by
 * {@code lock}, held only for in-memory moves: never across I/O, tokenization or a callback.
 * Dispatch follows a three-state protocol ({@code IDLE / REQUIRED / PROCESSING}): whoever frees
 * capacity (a release, a budget change, a new pod, the fallback tick) marks {@code REQUIRED} and
 * runs the dispatcher if it wins {@code tryLock}; the lock holder re-runs it while {@code REQUIRED}
 * was marked during its run, so no wake-up is lost and no thread ever waits for the lock to
 * dispatch. There is no polling and no wake-up per waiter: one thread dispatches for all.
 * Callbacks of admitted or expired waiters run after the lock is released.
 */
public final class AdmissionController {
  private static final int IDLE = 0;
  private static final int REQUIRED = 1;
  private static final int PROCESSING = 2;
  /** How many waiters behind a blocked head the dispatcher looks at for ones that fit. */
  private static final int BYPASS_SCAN = 64;
  private static final int RESERVE_ATTEMPTS = 3;

  private final String pool;
  private final PodSelector selector;
  private final AdmissionListener listener;
  private final LongSupplier clock;
  private final long epoch;
  private final PoolTotals totals = new PoolTotals(this);
  private final DrainRate drainRate;
  private final FairShare fairShare = new FairShare();

  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicInteger dispatchStatus = new AtomicInteger(IDLE);
  private final TreeSet<Waiter> order = new TreeSet<>(
      Comparator.comparingDouble((Waiter w) -> -w.key).thenComparingLong(w -> w.sequence));
  /** Waiters by arrival (a requeued request keeps its first arrival), for expiry. */
  private final TreeSet<Waiter> byAge = new TreeSet<>(
      Comparator.comparingLong((Waiter w) -> w.enqueuedAt).thenComparingLong(w -> w.sequence));
  private final AtomicInteger queuedRequests = new AtomicInteger();
  private final AtomicLong queuedTokens = new AtomicLong();
  private final Map<String, ClassCounters> perClass = new ConcurrentHashMap<>();
  /**
   * Tokens queued per priority, for the wait prediction: one entry per priority with a waiter (an
   * entry goes when its last waiter leaves). Written under {@code lock}, read without it.
   */
  private final Map<Integer, Long> tokensByPriority = new ConcurrentHashMap<>();
  private long nextSequence;

  private volatile List<PodBudget> pods = List.of();
  /**
   * Pods removed while requests were still in flight on them, by id: a pod that comes back before
   * those end takes up its old record, so what they hold still counts. Guarded by this.
   */
  private final Map<String, PodBudget> departed = new HashMap<>();
  private volatile QueueSpec queue;
  private volatile AdmissionMode mode;

  /** Queued requests and tokens of one traffic class. */
  public static final class ClassCounters {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong tokens = new AtomicLong();

    public int requests() {
      return requests.get();
    }

    public long tokens() {
      return tokens.get();
    }
  }

  /**
   * @param clock nanosecond time source ({@code System::nanoTime} in production, virtual in tests)
   */
  public AdmissionController(String pool, QueueSpec queue, AdmissionMode mode, PodSelector selector,
      AdmissionListener listener, LongSupplier clock) {
    this.pool = pool;
    this.queue = queue;
    this.mode = mode;
    this.selector = selector;
    this.listener = listener;
    this.clock = clock;
    this.epoch = clock.getAsLong();
    this.drainRate = new DrainRate(clock);
  }

  public String pool() {
    return pool;
  }

  // ---- pods and budgets ----

  /** Adds a pod (or returns the existing one) with {@code budget} tokens; 0 means not known yet. */
  public PodBudget addPod(String podId, long budget) {
    PodBudget pod;
    synchronized (this) {
      Optional<PodBudget> existing = pod(podId);
      if (existing.isPresent()) {
        return existing.get();
      }
      departed.values().removeIf(gone -> gone.inFlight() == 0);
      PodBudget back = departed.remove(podId);
      if (back != null) {
        back.setBudget(budget);
        back.resumeAccepting(); // its requests still in flight keep counting against it
        pod = back;
      } else {
        pod = new PodBudget(podId, budget, totals);
      }
      List<PodBudget> next = new ArrayList<>(pods);
      next.add(pod);
      pods = List.copyOf(next);
    }
    scheduleDispatch();
    return pod;
  }

  /**
   * Stops admitting to a pod and forgets it. Its reservations stay valid and are released as
   * their requests end, so nothing reserved is lost.
   */
  public synchronized void removePod(String podId) {
    departed.values().removeIf(gone -> gone.inFlight() == 0);
    pod(podId).ifPresent(gone -> {
      gone.stopAccepting();
      departed.put(podId, gone); // dropped once nothing is in flight on it (checked at the next change)
    });
    pods = pods.stream().filter(p -> !p.podId().equals(podId)).toList();
  }

  /**
   * Takes a pod out of rotation while it is unhealthy, or puts it back. Its reservations stay
   * valid; putting it back wakes the queue.
   */
  public void setEjected(String podId, boolean ejected) {
    pod(podId).ifPresent(pod -> {
      pod.setEjected(ejected);
      if (!ejected) {
        scheduleDispatch();
      }
    });
  }

  /** Changes a pod's budget; what is reserved stays reserved. */
  public void setBudget(String podId, long tokens) {
    pod(podId).ifPresent(pod -> {
      pod.setBudget(tokens);
      scheduleDispatch();
    });
  }

  /**
   * Gives this router {@code share} tokens of the pod's whole budget {@code ceiling} (a shared
   * ledger's grant). A smaller share takes effect before this returns (see {@link PodBudget}); a
   * request up to {@code ceiling} may wait for a larger share instead of being refused as too large.
   */
  public void setShare(String podId, long share, long ceiling) {
    pod(podId).ifPresent(pod -> {
      long before = pod.budget();
      pod.setShare(share, ceiling);
      if (share > before) {
        scheduleDispatch();
      }
    });
  }

  public Optional<PodBudget> pod(String podId) {
    return pods.stream().filter(p -> p.podId().equals(podId)).findFirst();
  }

  public List<PodBudget> pods() {
    return pods;
  }

  /** New queue limits and mode; waiting requests keep their place. */
  public void reconfigure(QueueSpec queue, AdmissionMode mode) {
    this.queue = queue;
    this.mode = mode;
    scheduleDispatch();
  }

  public AdmissionMode mode() {
    return mode;
  }

  // ---- admission ----

  /**
   * Admits, queues or refuses a request. When queued, {@code callback} is called exactly once
   * later (possibly before this method returns), unless the waiter is cancelled first.
   */
  public Decision admit(AdmissionRequest request, AdmissionCallback callback) {
    List<PodBudget> current = pods;
    long largest = 0;
    for (PodBudget pod : current) {
      if (pod.accepting()) {
        largest = Math.max(largest, pod.ceiling());
      }
    }
    if (largest <= 0) {
      listener.outcome(request.trafficClass(), Outcome.REJECTED_NO_PODS);
      return new Decision.NoPods();
    }
    if (mode == AdmissionMode.OBSERVE) {
      return observe(current, request, largest);
    }
    if (request.tokens() > largest) {
      listener.outcome(request.trafficClass(), Outcome.REJECTED_TOO_LARGE);
      return new Decision.TooLarge(request.tokens(), largest);
    }
    if (queuedRequests.get() == 0) {
      Reservation reservation = reserve(current, request);
      if (reservation != null) {
        listener.outcome(request.trafficClass(), Outcome.ADMITTED);
        return new Decision.Admitted(reservation);
      }
    }
    long predicted = request.ttftObjectiveNanos() > 0 ? predictedWaitNanos(current, request) : 0;
    if (predicted > request.ttftObjectiveNanos() && request.ttftObjectiveNanos() > 0) {
      if (request.refusesPredictedMiss()) {
        listener.outcome(request.trafficClass(), Outcome.REJECTED_SLO);
        return new Decision.Unattainable(predicted, retryAfterSeconds(predicted));
      }
      listener.outcome(request.trafficClass(), Outcome.WOULD_MISS);
    }
    return enqueue(request, callback, clock.getAsLong(), predicted);
  }

  /** Whole seconds covering {@code nanos}, between 1 and 60. */
  private static long retryAfterSeconds(long nanos) {
    return Math.max(1, Math.min(60, (nanos + 999_999_999L) / 1_000_000_000L));
  }

  /**
   * Puts a request back into the queue keeping its age, after a pod answered that it is under
   * pressure (429 / 503): it ranks as if it had waited since {@code arrivedAt}. The queue's limits
   * apply as for a new request.
   */
  public Decision requeue(AdmissionRequest request, long arrivedAt, AdmissionCallback callback) {
    return enqueue(request, callback, arrivedAt, 0);
  }

  private Decision observe(List<PodBudget> current, AdmissionRequest request, long largest) {
    PodBudget pod = selector.select(current, request, false);
    if (pod == null) {
      listener.outcome(request.trafficClass(), Outcome.REJECTED_NO_PODS);
      return new Decision.NoPods();
    }
    boolean wouldFit = request.tokens() <= largest && queuedRequests.get() == 0
        && pod.reserved() + request.tokens() <= pod.budget();
    listener.outcome(request.trafficClass(), wouldFit ? Outcome.ADMITTED : Outcome.WOULD_QUEUE);
    return new Decision.Admitted(pod.forceReserve(request.tokens(), request.promptTokens()));
  }

  /**
   * Reserves for {@code request} on the pods it may use now: while a pod it has not tried can take
   * it (in rotation, large enough), only such pods, so that a request a pod just refused waits for
   * another one instead of going straight back (the refusing pod, refusing at once, would often
   * have the most room); once none is left, any pod.
   */
  private Reservation reserve(List<PodBudget> current, AdmissionRequest request) {
    if (!request.avoid().isEmpty()) {
      List<PodBudget> untried = new ArrayList<>(current.size());
      boolean usable = false;
      for (PodBudget pod : current) {
        if (!request.avoid().contains(pod.podId())) {
          untried.add(pod);
          usable |= pod.accepting() && pod.ceiling() >= request.tokens();
        }
      }
      if (usable) {
        return reserveOn(untried, request);
      }
    }
    return reserveOn(current, request);
  }

  private Reservation reserveOn(List<PodBudget> candidates, AdmissionRequest request) {
    for (int attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
      PodBudget pod = selector.select(candidates, request, true);
      if (pod == null) {
        return null;
      }
      Optional<Reservation> reservation = pod.tryReserve(request.tokens(), request.promptTokens());
      if (reservation.isPresent()) {
        return reservation.get();
      }
    }
    return null;
  }

  /**
   * Reserves on a pod not in {@code excludedPodIds}, for a retry after those pods failed; the
   * failed attempt's reservation must have been released first. Empty when nothing else fits.
   */
  public Optional<Reservation> reserveElsewhere(AdmissionRequest request, Set<String> excludedPodIds) {
    List<PodBudget> others = pods.stream().filter(p -> !excludedPodIds.contains(p.podId())).toList();
    if (mode == AdmissionMode.OBSERVE) {
      PodBudget pod = selector.select(others, request, false);
      return pod == null ? Optional.empty() : Optional.of(pod.forceReserve(request.tokens(), request.promptTokens()));
    }
    return Optional.ofNullable(reserveOn(others, request));
  }

  /**
   * How long {@code request} would wait in the queue, in O(priorities in use + pods), without the
   * queue's lock: the tokens queued ahead of it (every waiter of its priority or a higher one)
   * plus its own, less what is free now, at the rate reservations have been ending. With {@code
   * shedding: size-neutral} a request of the pool's mean size stands in for its own, so its size
   * does not change the verdict. 0 while that rate is not known (nothing is refused on a guess).
   */
  long predictedWaitNanos(List<PodBudget> current, AdmissionRequest request) {
    double rate = drainRate.tokensPerSecond();
    if (rate <= 0) {
      return 0;
    }
    long ahead = 0;
    for (Map.Entry<Integer, Long> band : tokensByPriority.entrySet()) {
      if (band.getKey() >= request.priority()) {
        ahead += band.getValue();
      }
    }
    long free = 0;
    for (PodBudget pod : current) {
      if (pod.accepting()) {
        free += pod.headroom();
      }
    }
    boolean neutral = request.objective() != null && request.objective().shedding() == Shedding.SIZE_NEUTRAL;
    long own = neutral && drainRate.meanTokens() > 0 ? (long) drainRate.meanTokens() : request.tokens();
    long need = ahead + own - free;
    return need <= 0 ? 0 : (long) (need / rate * 1e9);
  }

  private Decision enqueue(AdmissionRequest request, AdmissionCallback callback, long arrivedAt, long predicted) {
    Waiter waiter;
    lock.lock();
    try {
      QueueSpec limits = queue;
      if (queuedRequests.get() >= limits.maxLength()) {
        return full(request, "maxLength");
      }
      if (queuedTokens.get() + request.tokens() > limits.maxQueuedTokens()) {
        return full(request, "maxQueuedTokens");
      }
      double seconds = (arrivedAt - epoch) / 1e9;
      if (limits.policy() == QueuePolicy.TOKEN_FAIR) {
        seconds = fairShare.startTag(request, seconds, drainRate.tokensPerSecond());
      }
      double key = request.priority() - limits.ageBoostPerSecond() * seconds;
      waiter = new Waiter(this, nextSequence++, request, arrivedAt, key, callback);
      order.add(waiter);
      byAge.add(waiter);
      count(waiter, +1);
    } finally {
      lock.unlock();
    }
    listener.outcome(request.trafficClass(), Outcome.QUEUED);
    scheduleDispatch();
    return new Decision.Queued(waiter, predicted);
  }

  private Decision full(AdmissionRequest request, String limit) {
    listener.outcome(request.trafficClass(), Outcome.REJECTED_FULL);
    return new Decision.QueueFull(drainRate.retryAfterSeconds(queuedTokens.get() + request.tokens()), limit);
  }

  private void count(Waiter waiter, int sign) {
    queuedRequests.addAndGet(sign);
    queuedTokens.addAndGet(sign * waiter.request.tokens());
    ClassCounters counters = perClass.computeIfAbsent(waiter.request.trafficClass(), c -> new ClassCounters());
    counters.requests.addAndGet(sign);
    counters.tokens.addAndGet(sign * waiter.request.tokens());
    long delta = sign * waiter.request.tokens();
    tokensByPriority.compute(waiter.request.priority(), (p, tokens) -> {
      long now = (tokens == null ? 0 : tokens) + delta;
      return now == 0 ? null : now;
    });
  }

  /** Takes a waiter out of the queue; false if it was no longer there. Lock held. */
  private boolean unlink(Waiter waiter) {
    if (!order.remove(waiter)) {
      return false;
    }
    byAge.remove(waiter);
    count(waiter, -1);
    return true;
  }

  void removeCancelled(Waiter waiter) {
    lock.lock();
    try {
      unlink(waiter);
    } finally {
      lock.unlock();
    }
    listener.outcome(waiter.request.trafficClass(), Outcome.CANCELLED);
    scheduleDispatch(); // a blocked head may have gone
  }

  // ---- dispatch ----

  void capacityFreed(long tokens) {
    drainRate.released(tokens);
    listener.released(tokens);
    if (queuedRequests.get() > 0) {
      scheduleDispatch();
    }
  }

  /** Runs the dispatcher now, or makes sure the thread running it runs it again. */
  void scheduleDispatch() {
    dispatchStatus.set(REQUIRED);
    if (lock.isHeldByCurrentThread()) {
      return; // the running dispatch loop sees REQUIRED and goes round again
    }
    while (dispatchStatus.get() == REQUIRED && lock.tryLock()) {
      List<Runnable> notifications = new ArrayList<>();
      try {
        do {
          dispatchStatus.set(PROCESSING);
          dispatchLocked(notifications);
        } while (!dispatchStatus.compareAndSet(PROCESSING, IDLE));
      } finally {
        lock.unlock();
      }
      notifications.forEach(Runnable::run);
    }
  }

  private void dispatchLocked(List<Runnable> notifications) {
    List<PodBudget> current = pods;
    long now = clock.getAsLong();
    long starvation = queue.starvationThreshold().toNanos();
    while (!order.isEmpty()) {
      Waiter head = order.first();
      if (place(head, current, now, notifications)) {
        continue;
      }
      if (now - head.enqueuedAt >= starvation) {
        return; // hold freed capacity for the head: nothing may bypass it any more
      }
      int scanned = 0;
      Iterator<Waiter> behind = order.tailSet(head, false).iterator();
      while (behind.hasNext() && scanned++ < BYPASS_SCAN) {
        Waiter waiter = behind.next();
        if (waiter.request.tokens() < head.request.tokens() && place(waiter, current, now, notifications)) {
          behind = order.tailSet(head, false).iterator(); // the set changed under the iterator
        }
      }
      return;
    }
  }

  /** Reserves for {@code waiter} and hands it over; false if it does not fit. Lock held. */
  private boolean place(Waiter waiter, List<PodBudget> current, long now, List<Runnable> notifications) {
    if (!waiter.waiting()) {
      unlink(waiter); // cancelled while queued; its canceller will find it gone
      return true;
    }
    Reservation reservation = reserve(current, waiter.request);
    if (reservation == null) {
      return false;
    }
    unlink(waiter);
    if (!waiter.moveTo(Waiter.ADMITTED)) {
      reservation.release(); // cancelled in the meantime
      return true;
    }
    long waited = now - waiter.enqueuedAt;
    notifications.add(() -> {
      listener.outcome(waiter.request.trafficClass(), Outcome.ADMITTED_FROM_QUEUE);
      listener.waited(waiter.request.trafficClass(), waited);
      waiter.callback.admitted(reservation, waited);
    });
    return true;
  }

  /**
   * The fallback timer (every 500 ms or more): expires waiters past the max wait, then dispatches
   * in case a wake-up was missed.
   */
  public void tick() {
    List<Runnable> notifications = new ArrayList<>();
    lock.lock();
    try {
      long now = clock.getAsLong();
      long maxWait = queue.maxWait().toNanos();
      fairShare.forgetBefore((now - epoch) / 1e9);
      Iterator<Waiter> oldest = byAge.iterator();
      while (oldest.hasNext()) {
        Waiter waiter = oldest.next();
        long waited = now - waiter.enqueuedAt;
        if (waited < maxWait) {
          break; // all waiters share one max wait, so the rest are younger
        }
        oldest.remove();
        order.remove(waiter);
        count(waiter, -1);
        if (waiter.moveTo(Waiter.EXPIRED)) {
          notifications.add(() -> {
            listener.outcome(waiter.request.trafficClass(), Outcome.TIMED_OUT);
            waiter.callback.expired(waited);
          });
        }
      }
    } finally {
      lock.unlock();
    }
    notifications.forEach(Runnable::run);
    scheduleDispatch();
  }

  // ---- load figures, all O(1) ----

  public int queuedRequests() {
    return queuedRequests.get();
  }

  public long queuedTokens() {
    return queuedTokens.get();
  }

  /** Tokens of the request at the head of the queue, 0 when none waits. Takes the queue's lock: not for hot paths. */
  public long headTokens() {
    lock.lock();
    try {
      return order.isEmpty() ? 0 : order.first().request.tokens();
    } finally {
      lock.unlock();
    }
  }

  /** Queued tokens per priority, as the wait prediction sees them (a copy; for tests and diagnostics). */
  Map<Integer, Long> queuedTokensByPriority() {
    return Map.copyOf(tokensByPriority);
  }

  public ClassCounters queued(String trafficClass) {
    return perClass.computeIfAbsent(trafficClass, c -> new ClassCounters());
  }

  public long reservedTokens() {
    return totals.reservedTokens();
  }

  public int inFlight() {
    return totals.inFlight();
  }

  public long overrunTokens() {
    return totals.overrunTokens();
  }

  /** Seconds a refused client should wait before retrying, from the observed drain rate. */
  public long retryAfterSeconds() {
    return drainRate.retryAfterSeconds(Math.max(1, queuedTokens.get()));
  }
}
