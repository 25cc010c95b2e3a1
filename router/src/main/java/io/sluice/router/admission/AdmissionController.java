package io.sluice.router.admission;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.QueueSpec;
import io.sluice.crd.Shedding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Token-budget admission for one pool: reserve on a pod if the request fits, else wait in a
 * bounded queue ordered by age-boosted priority, woken when capacity frees up. A request with a
 * service objective that must queue is given a predicted wait first, and refused at once when that
 * is past its objective and its class says so.
 *
 * <p>The parts: {@link PodLedger} (pods, departed pods, budgets), {@link AdmissionQueue} (waiters
 * in serving order, with a pluggable {@link QueueOrder}), {@link Coalescer} (the dispatcher's
 * named state machine), and pure policies ({@link WaitPrediction}, and the budget limit
 * {@link AdaptiveBudget} applied from outside). This class wires them: admission, dispatch,
 * expiry.
 *
 * <p>Concurrency: the pods' counters are lock-free ({@link PodBudget}). The queue is guarded by
 * {@code lock}, held only for in-memory moves: never across I/O, tokenization or a callback.
 * Whoever frees capacity (a release, a budget change, a new pod, the fallback tick) asks the
 * coalescer to dispatch: it runs the dispatcher if it wins {@code tryLock}, and a thread already
 * dispatching goes round again, so no wake-up is lost and no thread ever waits for the lock to
 * dispatch. There is no polling and no wake-up per waiter: one thread dispatches for all.
 * Callbacks of admitted or expired waiters run after the lock is released.
 */
public final class AdmissionController {
  /** How many waiters behind a blocked head the dispatcher looks at for ones that fit. */
  private static final int BYPASS_SCAN = 64;
  private static final int RESERVE_ATTEMPTS = 3;

  private final String pool;
  private final PodPicker picker;
  private final AdmissionListener listener;
  private final LongSupplier clock;
  private final PoolTotals totals = new PoolTotals(this);
  private final PodLedger ledger = new PodLedger(totals);
  private final DrainRate drainRate;

  private final ReentrantLock lock = new ReentrantLock();
  private final AdmissionQueue waiting;
  private final Coalescer dispatcher = new Coalescer(lock, this::dispatchLocked);
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
  public AdmissionController(String pool, QueueSpec queue, AdmissionMode mode, PodPicker picker,
      AdmissionListener listener, LongSupplier clock) {
    this.pool = pool;
    this.queue = queue;
    this.mode = mode;
    this.picker = picker;
    this.listener = listener;
    this.clock = clock;
    this.waiting = new AdmissionQueue(clock.getAsLong());
    this.drainRate = new DrainRate(clock);
  }

  long now() {
    return clock.getAsLong();
  }

  public String pool() {
    return pool;
  }

  // ---- pods and budgets ----

  /** Adds a pod (or returns the existing one) with {@code budget} tokens; 0 means not known yet. */
  public PodBudget addPod(String podId, long budget) {
    PodBudget pod = ledger.add(podId, budget);
    scheduleDispatch();
    return pod;
  }

  /**
   * Stops admitting to a pod and forgets it. Its reservations stay valid and are released as
   * their requests end, so nothing reserved is lost.
   */
  public void removePod(String podId) {
    ledger.remove(podId);
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

  /**
   * Puts a pod on probation (it takes one request at a time: it is back from an ejection and has
   * not answered well yet) or ends it.
   */
  public void setProbation(String podId, boolean probation) {
    pod(podId).ifPresent(pod -> {
      pod.setProbation(probation);
      if (!probation) {
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
    return ledger.pod(podId);
  }

  public List<PodBudget> pods() {
    return ledger.pods();
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
    List<PodBudget> current = ledger.pods();
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
    if (waiting.requests() == 0) {
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
        return new Decision.Unattainable(predicted, WaitPrediction.retryAfterSeconds(predicted));
      }
      listener.outcome(request.trafficClass(), Outcome.WOULD_MISS);
    }
    return enqueue(request, callback, clock.getAsLong(), predicted);
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
    PodBudget pod = picker.pick(current, request, false);
    if (pod == null) {
      listener.outcome(request.trafficClass(), Outcome.REJECTED_NO_PODS);
      return new Decision.NoPods();
    }
    boolean wouldFit = request.tokens() <= largest && waiting.requests() == 0
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
      PodBudget pod = picker.pick(candidates, request, true);
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
    List<PodBudget> others = ledger.pods().stream().filter(p -> !excludedPodIds.contains(p.podId())).toList();
    if (mode == AdmissionMode.OBSERVE) {
      PodBudget pod = picker.pick(others, request, false);
      return pod == null ? Optional.empty() : Optional.of(pod.forceReserve(request.tokens(), request.promptTokens()));
    }
    return Optional.ofNullable(reserveOn(others, request));
  }

  /**
   * The time to first token of {@code request} if it queues now, in O(priorities in use + pods),
   * without the queue's lock: the queue wait ({@link WaitPrediction#nanos}: the tokens queued ahead
   * of it, every waiter of its priority or a higher one, plus its own, less what is free now, at
   * the rate reservations have been ending; with {@code shedding: size-neutral} a request of the
   * pool's mean size stands in for its own) plus the prefill on the pod where it would start
   * soonest ({@link WaitPrediction#prefillNanos}; size-neutral: with the mean prompt of recent
   * arrivals in place of its own). 0 while the drain rate is not known, so nothing
   * is refused on a guess.
   */
  /** Prompt tokens of recent arrivals with an objective, smoothed (races lose an update, no more). */
  private volatile double meanPromptTokens;
  private static final double MEAN_PROMPT_WEIGHT = 0.01;

  long predictedWaitNanos(List<PodBudget> current, AdmissionRequest request) {
    long predicted = predictedWaitNanos(current, request, meanPromptTokens);
    double mean = meanPromptTokens;
    meanPromptTokens = mean == 0 ? request.promptTokens() : mean + MEAN_PROMPT_WEIGHT * (request.promptTokens() - mean);
    return predicted;
  }

  private long predictedWaitNanos(List<PodBudget> current, AdmissionRequest request, double meanPromptTokens) {
    double rate = drainRate.tokensPerSecond();
    if (rate <= 0) {
      return 0;
    }
    long free = 0;
    for (PodBudget pod : current) {
      if (pod.accepting()) {
        free += pod.headroom();
      }
    }
    boolean neutral = request.objective() != null && request.objective().shedding() == Shedding.SIZE_NEUTRAL;
    long own = neutral && drainRate.meanTokens() > 0 ? (long) drainRate.meanTokens() : request.tokens();
    long ownPrompt = neutral && meanPromptTokens > 0 ? (long) meanPromptTokens : request.promptTokens();
    long prefill = Long.MAX_VALUE;
    for (PodBudget pod : current) {
      if (pod.accepting() && pod.prefillTokensPerSecond() > 0) {
        prefill = Math.min(prefill, WaitPrediction.prefillNanos(pod.pendingPrefill(), ownPrompt,
            pod.prefillTokensPerSecond()));
      }
    }
    return WaitPrediction.nanos(waiting.tokensAtOrAbove(request.priority()), own, free, rate)
        + (prefill == Long.MAX_VALUE ? 0 : prefill);
  }

  private Decision enqueue(AdmissionRequest request, AdmissionCallback callback, long arrivedAt, long predicted) {
    Waiter waiter;
    lock.lock();
    try {
      QueueSpec limits = queue;
      String limit = waiting.limitReached(limits, request.tokens());
      if (limit != null) {
        return full(request, limit);
      }
      waiter = waiting.add(this, request, callback, arrivedAt, limits, drainRate.tokensPerSecond());
    } finally {
      lock.unlock();
    }
    listener.outcome(request.trafficClass(), Outcome.QUEUED);
    scheduleDispatch();
    return new Decision.Queued(waiter, predicted);
  }

  private Decision full(AdmissionRequest request, String limit) {
    listener.outcome(request.trafficClass(), Outcome.REJECTED_FULL);
    return new Decision.QueueFull(drainRate.retryAfterSeconds(waiting.tokens() + request.tokens()), limit);
  }

  void removeCancelled(Waiter waiter) {
    lock.lock();
    try {
      waiting.unlink(waiter);
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
    if (waiting.requests() > 0) {
      scheduleDispatch();
    }
  }

  /** Runs the dispatcher now, or makes sure the thread running it runs it again. */
  void scheduleDispatch() {
    dispatcher.request();
  }

  private void dispatchLocked(List<Runnable> notifications) {
    List<PodBudget> current = ledger.pods();
    long now = clock.getAsLong();
    long starvation = queue.starvationThreshold().toNanos();
    while (!waiting.isEmpty()) {
      Waiter head = waiting.head();
      if (place(head, current, now, notifications)) {
        continue;
      }
      if (now - head.enqueuedAt >= starvation) {
        return; // hold freed capacity for the head: nothing may bypass it any more
      }
      int scanned = 0;
      Iterator<Waiter> behind = waiting.behind(head);
      while (behind.hasNext() && scanned++ < BYPASS_SCAN) {
        Waiter waiter = behind.next();
        if (waiter.request.tokens() < head.request.tokens() && place(waiter, current, now, notifications)) {
          behind = waiting.behind(head); // the set changed under the iterator
        }
      }
      return;
    }
  }

  /** Reserves for {@code waiter} and hands it over; false if it does not fit. Lock held. */
  private boolean place(Waiter waiter, List<PodBudget> current, long now, List<Runnable> notifications) {
    if (!waiter.waiting()) {
      waiting.unlink(waiter); // cancelled while queued; its canceller will find it gone
      return true;
    }
    Reservation reservation = reserve(current, waiter.request);
    if (reservation == null) {
      return false;
    }
    waiting.unlink(waiter);
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
      for (Waiter waiter : waiting.expire(now, queue.maxWait().toNanos())) {
        long waited = now - waiter.enqueuedAt;
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
    return waiting.requests();
  }

  public long queuedTokens() {
    return waiting.tokens();
  }

  /** Tokens of the request at the head of the queue, 0 when none waits. Takes the queue's lock: not for hot paths. */
  public long headTokens() {
    lock.lock();
    try {
      return waiting.isEmpty() ? 0 : waiting.head().request.tokens();
    } finally {
      lock.unlock();
    }
  }

  /** How long the longest-waiting request has waited, 0 when none waits. Takes the queue's lock: not for hot paths. */
  public long oldestWaitNanos() {
    lock.lock();
    try {
      return waiting.isEmpty() ? 0 : Math.max(0, clock.getAsLong() - waiting.oldestArrival());
    } finally {
      lock.unlock();
    }
  }

  /** Queued tokens per priority, as the wait prediction sees them (a copy; for tests and diagnostics). */
  Map<Integer, Long> queuedTokensByPriority() {
    return waiting.tokensByPriority();
  }

  public ClassCounters queued(String trafficClass) {
    return waiting.counters(trafficClass);
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
    return drainRate.retryAfterSeconds(Math.max(1, waiting.tokens()));
  }
}
