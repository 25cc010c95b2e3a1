package io.sluice.router.coordination;

import io.sluice.crd.BudgetCoordination;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.runtime.PoolRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares pod budgets among router replicas through a {@link SharedLedger}, for pools with
 * {@code budget.coordination: redis}. Each replica leases a share of every pod's budget and admits
 * against that share locally, with the same lock-free counters as ever: the request path never
 * waits for the ledger.
 *
 * <p>Concurrency: all of this class's state belongs to one scheduler thread. A pool's shares move
 * in rounds, and a pool has at most one round running, by a small state machine ({@link
 * AsyncCoalescer}: {@code IDLE / RUNNING / AGAIN}): whoever wants a round (the renewal timer, a request queued, a release while
 * other replicas wait, a retry while this one waits) marks it wanted; a round that ends with
 * {@code AGAIN} runs once more. In a round, for each pod ({@link SharePolicy}): the share wanted is
 * what is reserved plus headroom (one eighth of the budget, or what waits in the queue) while no
 * other replica waits, else what is reserved plus the head of the queue, all or nothing (partial
 * shares held by every replica would deadlock them); a smaller share is set locally first (a shrink is
 * linearizable with reservations, see {@link PodBudget}), and only then is the ledger told, with
 * {@code keep} = the larger of the local share and what is reserved. A larger share is used
 * locally only once the ledger granted it. So the ledger's record of this replica never falls
 * below what it may admit, and the ledger never lets the records of one pod pass its budget: across
 * replicas, admitted tokens stay within the budget. Each round renews the lease; a replica that
 * stops (crash, partition) loses its shares after the TTL. When the ledger cannot be reached, a pod
 * keeps its share for half a TTL after the last answer (the ledger still records it), then falls
 * back to {@code budget / replicas} (partitioned); on recovery its local share drops to 0 before
 * the ledger is asked again, since the fallback share was never recorded.
 */
public final class LedgerCoordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerCoordinator.class);

  /** Told of every failed ledger call. */
  public interface Listener {
    Listener NONE = (pool, cause) -> { };

    void ledgerFailed(String pool, Throwable cause);
  }

  private final SharedLedger ledger;
  private final String replica;
  private final long timeoutMillis;
  private final long renewMillis;
  private final long graceNanos;
  private final long retryMillis;
  private final int fallbackReplicas;
  private final Listener listener;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Tracked> pools = new ConcurrentHashMap<>();
  private final AtomicLong errors = new AtomicLong();
  private volatile int liveReplicas;
  private volatile boolean closed;

  /** One pod's share as this replica knows it. Scheduler thread only. */
  private static final class PodShare {
    PodBudget live;
    final List<PodBudget> gone = new ArrayList<>();
    boolean confirmed;
    /** When the last lease the ledger answered was sent (the clock's nanoseconds): the ledger's record lasts a TTL from then. */
    long confirmedAt;
    long whole;
  }

  /** A pool under coordination. */
  private final class Tracked {
    final PoolRuntime runtime;
    final AsyncCoalescer rounds = new AsyncCoalescer();
    final Map<String, PodShare> pods = new HashMap<>();
    volatile boolean retiring;
    volatile boolean othersWaiting;
    boolean starving;
    boolean failed;
    boolean seenWaiting;
    String lastFailure;

    Tracked(PoolRuntime runtime) {
      this.runtime = runtime;
    }
  }

  /**
   * @param replica this replica's name in the ledger; unique among the replicas
   * @param timeout longest wait for one ledger call
   * @param ttl how long a share lasts without renewal; shares are renewed every third of it
   * @param fallbackReplicas replicas to divide budgets by while the ledger is unreachable, until
   *     {@link #setLiveReplicas} gives the live count
   */
  public LedgerCoordinator(SharedLedger ledger, String replica, Duration timeout, Duration ttl, int fallbackReplicas,
      Listener listener) {
    this(ledger, replica, timeout, ttl, fallbackReplicas, listener, System::nanoTime, ledgerThread());
  }

  /**
   * As the production constructor, on a given clock and scheduler (a virtual clock in tests and
   * the simulator).
   *
   * @param nanoTime the time in nanoseconds ({@code System::nanoTime} in production)
   * @param scheduler runs all of this coordinator's work, renewals, retries and call timeouts, one
   *     task at a time in the order given (one thread); {@link #close} shuts it down
   */
  public LedgerCoordinator(SharedLedger ledger, String replica, Duration timeout, Duration ttl, int fallbackReplicas,
      Listener listener, LongSupplier nanoTime, ScheduledExecutorService scheduler) {
    this.ledger = ledger;
    this.replica = replica;
    this.timeoutMillis = Math.max(1, timeout.toMillis());
    this.renewMillis = Math.max(1, ttl.toMillis() / 3);
    this.graceNanos = ttl.toNanos() / 2;
    this.retryMillis = Math.min(renewMillis, 20);
    this.fallbackReplicas = fallbackReplicas;
    this.listener = listener;
    this.nanoTime = nanoTime;
    this.scheduler = scheduler;
    scheduler.scheduleWithFixedDelay(() -> pools.values().forEach(this::requestRound), renewMillis, renewMillis,
        TimeUnit.MILLISECONDS);
  }

  /**
   * The coordinator's own thread. Cancelled call timeouts leave its queue at once, as
   * {@link CompletableFuture#orTimeout}'s did.
   */
  private static ScheduledExecutorService ledgerThread() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "sluice-budget-ledger");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  public String replica() {
    return replica;
  }

  /** Ledger calls that failed or timed out, in total. */
  public long errors() {
    return errors.get();
  }

  /** The live router replicas (from the cluster's Leases): the fallback divides budgets by it. */
  public void setLiveReplicas(int count) {
    liveReplicas = count;
  }

  /** Starts coordinating the pool's budgets (again, after a spec change); its first round runs at once. */
  public void track(PoolRuntime runtime) {
    Tracked tracked = pools.compute(runtime.name(), (name, existing) ->
        existing != null && existing.runtime == runtime ? existing : new Tracked(runtime));
    tracked.retiring = false;
    runtime.coordinateWith(reason -> {
      if (reason == PoolRuntime.Signal.QUEUED || tracked.othersWaiting) {
        requestRound(tracked);
      }
    });
    requestRound(tracked);
  }

  /** Stops coordinating the pool: its shares shrink to what is still reserved, then are dropped. */
  public void untrack(String pool) {
    Tracked tracked = pools.get(pool);
    if (tracked != null) {
      tracked.retiring = true;
      requestRound(tracked);
    }
  }

  private void requestRound(Tracked tracked) {
    if (!closed && tracked.rounds.request()) {
      try {
        scheduler.execute(() -> round(tracked));
      } catch (RejectedExecutionException e) {
        tracked.rounds.reset(); // closing
      }
    }
  }

  private void roundEnded(Tracked tracked) {
    if (tracked.rounds.runAgain()) {
      round(tracked); // someone asked during the round
    } else if (tracked.starving && !closed) {
      scheduler.schedule(() -> requestRound(tracked), retryMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** One round over the pool's pods. Scheduler thread. */
  private void round(Tracked tracked) {
    PoolRuntime runtime = tracked.runtime;
    boolean active = !tracked.retiring && !closed
        && runtime.pool().spec().budget().coordination() == BudgetCoordination.REDIS;
    List<PodBudget> live = active ? runtime.admission().pods() : List.of();
    Map<String, PodBudget> liveById = new HashMap<>();
    live.forEach(pod -> liveById.put(pod.podId(), pod));
    for (PodBudget pod : live) {
      PodShare share = tracked.pods.computeIfAbsent(pod.podId(), id -> new PodShare());
      if (share.live != pod) {
        if (share.live != null) {
          share.gone.add(share.live); // replaced: its reservations still count until they end
        }
        share.live = pod;
        share.confirmed = false;
      }
    }
    for (Map.Entry<String, PodShare> entry : tracked.pods.entrySet()) {
      PodShare share = entry.getValue();
      if (share.live != null && liveById.get(entry.getKey()) != share.live) {
        share.gone.add(share.live);
        share.live = null;
      }
    }
    long queued = active ? runtime.admission().queuedTokens() : 0;
    boolean othersWaiting = tracked.othersWaiting;
    tracked.starving = false;
    tracked.failed = false;
    tracked.seenWaiting = false;
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (Map.Entry<String, PodShare> entry : tracked.pods.entrySet()) {
      String podId = entry.getKey();
      PodShare share = entry.getValue();
      share.gone.removeIf(pod -> pod.inFlight() == 0 && pod.reserved() <= 0);
      long goneReserved = share.gone.stream().mapToLong(PodBudget::reserved).sum();
      PodBudget pod = share.live;
      SharePolicy.Lease lease;
      if (pod == null) {
        lease = SharePolicy.leaseForGone(goneReserved, share.whole);
      } else {
        OptionalLong whole = runtime.wholeBudget(podId);
        if (whole.isEmpty() || whole.getAsLong() <= 0) {
          continue; // the engine has not said how large it is yet
        }
        share.whole = whole.getAsLong();
        boolean accepting = pod.accepting();
        long reserved = pod.reserved();
        long head = accepting && othersWaiting ? runtime.admission().headTokens() : 0;
        SharePolicy.Ask ask = SharePolicy.ask(share.whole, pod.budget(), reserved, accepting, share.confirmed,
            othersWaiting, queued, head);
        ask.localFirst().ifPresent(local -> runtime.admission().setShare(podId, local, share.whole));
        // Read again after the local change: a reservation may have raced the shrink.
        lease = SharePolicy.lease(ask, pod.budget(), pod.reserved(), goneReserved, share.whole);
      }
      long want = lease.want();
      long sentGone = goneReserved;
      long sentAt = nanoTime.getAsLong();
      calls.add(withTimeout(ledger.lease(runtime.name(), podId, replica, want, lease.keep(), lease.atLeast(),
          lease.budget()))
          .handleAsync((grant, failure) -> {
            applied(tracked, podId, share, pod, want, sentGone, sentAt, grant, failure);
            return null;
          }, scheduler));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
        .whenCompleteAsync((done, failure) -> finish(tracked), scheduler);
  }

  /**
   * The call's outcome, or a {@link TimeoutException} once the timeout passed on the scheduler's
   * clock (so a virtual clock times calls out too).
   */
  private <T> CompletableFuture<T> withTimeout(CompletionStage<T> call) {
    CompletableFuture<T> timed = new CompletableFuture<>();
    ScheduledFuture<?> timer;
    try {
      Runnable timeout = () -> timed.completeExceptionally(new TimeoutException());
      timer = scheduler.schedule(timeout, timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      timer = null; // closing: nothing waits for the reply any more
    }
    ScheduledFuture<?> cancel = timer;
    call.whenComplete((value, failure) -> {
      if (cancel != null) {
        cancel.cancel(false);
      }
      if (failure != null) {
        timed.completeExceptionally(failure);
      } else {
        timed.complete(value);
      }
    });
    return timed;
  }

  private void applied(Tracked tracked, String podId, PodShare share, PodBudget pod, long want, long sentGone,
      long sentAt, SharedLedger.Grant grant, Throwable failure) {
    PoolRuntime runtime = tracked.runtime;
    boolean active = !tracked.retiring && !closed
        && runtime.pool().spec().budget().coordination() == BudgetCoordination.REDIS;
    if (failure != null) {
      errors.incrementAndGet();
      tracked.failed = true;
      tracked.lastFailure = failure.toString();
      listener.ledgerFailed(runtime.name(), failure);
      if (pod != null && active && share.live == pod
          && SharePolicy.fallsBack(share.confirmed, share.confirmedAt, nanoTime.getAsLong(), graceNanos)) {
        share.confirmed = false;
        runtime.admission().setShare(podId, SharePolicy.fallbackShare(share.whole, liveReplicas, fallbackReplicas),
            share.whole);
      }
      return;
    }
    if (grant.othersWaiting() > 0) {
      tracked.seenWaiting = true;
    }
    if (want > grant.granted()) {
      tracked.starving = true;
    }
    if (pod == null) {
      if (want == 0 && share.gone.isEmpty()) {
        tracked.pods.remove(podId, share); // dropped from the ledger
      }
      return;
    }
    if (active && share.live == pod) {
      share.confirmed = true;
      share.confirmedAt = sentAt;
      runtime.admission().setShare(podId, SharePolicy.grantedLocally(grant.granted(), sentGone), share.whole);
    }
  }

  private void finish(Tracked tracked) {
    PoolRuntime runtime = tracked.runtime;
    boolean active = !tracked.retiring && !closed
        && runtime.pool().spec().budget().coordination() == BudgetCoordination.REDIS;
    if (!active) {
      tracked.pods.values().forEach(share -> {
        if (share.live != null) {
          share.gone.add(share.live);
          share.live = null;
        }
      });
      boolean wantedAgain = !tracked.retiring && !closed
          && runtime.pool().spec().budget().coordination() == BudgetCoordination.REDIS; // track() meanwhile
      if (tracked.pods.isEmpty() && !wantedAgain) {
        if (pools.remove(runtime.name(), tracked)) {
          runtime.coordinateWith(signal -> { });
        }
        runtime.setCoordination(PoolRuntime.Coordination.NONE);
        tracked.rounds.reset();
        return;
      }
    } else {
      boolean fallback = tracked.pods.values().stream().anyMatch(share -> share.live != null && !share.confirmed
          && share.whole > 0);
      PoolRuntime.Coordination before = runtime.coordination();
      PoolRuntime.Coordination now = fallback ? PoolRuntime.Coordination.FALLBACK : PoolRuntime.Coordination.SHARED;
      if (before != now) {
        if (now == PoolRuntime.Coordination.FALLBACK) {
          LOG.warn("ModelPool {}: the shared budget ledger cannot be reached ({}); budgets are partitioned until it can",
              runtime.name(), tracked.lastFailure);
        } else if (before == PoolRuntime.Coordination.FALLBACK) {
          LOG.info("ModelPool {}: the shared budget ledger is back; budgets are shared again", runtime.name());
        }
        runtime.setCoordination(now);
      }
    }
    if (!tracked.failed) {
      tracked.othersWaiting = tracked.seenWaiting; // holds until a round sees nobody waiting on any pod
    }
    roundEnded(tracked);
  }

  /**
   * Stops renewing and drops this replica's shares (what is still reserved stays recorded until
   * it lapses). Waits for the ledger at most the timeout.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    CompletableFuture<Void> dropped = new CompletableFuture<>();
    try {
      scheduler.execute(() -> {
        closed = true;
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (Tracked tracked : pools.values()) {
          for (Map.Entry<String, PodShare> entry : tracked.pods.entrySet()) {
            PodShare share = entry.getValue();
            long reserved = share.gone.stream().mapToLong(PodBudget::reserved).sum()
                + (share.live == null ? 0 : share.live.reserved());
            calls.add(ledger.lease(tracked.runtime.name(), entry.getKey(), replica, reserved, reserved, 0,
                Math.max(share.whole, reserved)).toCompletableFuture());
          }
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
            .whenComplete((done, failure) -> dropped.complete(null));
      });
      dropped.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("cannot drop this replica's budget shares; they lapse after the lease TTL: {}", e.toString());
    } finally {
      closed = true;
      scheduler.shutdownNow();
    }
  }
}
