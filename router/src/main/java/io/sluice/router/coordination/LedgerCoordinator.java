package io.sluice.router.coordination;

import io.sluice.router.admission.PodBudget;
import io.sluice.router.runtime.PoolRuntime;
import java.time.Duration;
import java.util.ArrayList;
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
 * waits for the ledger. Across replicas, admitted tokens stay within each pod's budget; a replica
 * that stops (crash, partition) loses its shares after the TTL; while the ledger cannot be reached
 * a pod falls back to {@code budget / replicas} (partitioned).
 *
 * <p>The parts: {@link SharePolicy} (what to ask for, what to give back first, the fallback),
 * {@link AsyncCoalescer} (one round at a time per pool), {@link TrackedPool} and {@link PodShare}
 * (what this replica knows of each pool and pod). This class runs the rounds and applies the answers.
 */
public final class LedgerCoordinator implements AutoCloseable {
  /*
   * Concurrency: all state of the pools and their pods belongs to the one scheduler thread. A
   * pool's shares move in rounds, at most one running per pool (AsyncCoalescer IDLE / RUNNING /
   * AGAIN): whoever wants a round (the renewal timer, a request queued, a release while other
   * replicas wait, a retry while this one waits) asks for it from any thread; a round that ends
   * with AGAIN runs once more. A round sends one lease per pod; the answers, and the end of the
   * round once every answer or timeout is in, are handled on the scheduler again.
   *
   * Why the budget holds: a smaller share is set locally first (a shrink is linearizable with
   * reservations, see PodBudget), and only then is the ledger told, with keep = the larger of the
   * local share and what is reserved. A larger share is used locally only once the ledger granted
   * it. So the ledger's record of this replica never falls below what it may admit, and the ledger
   * never lets the records of one pod pass its budget. Each round renews the lease. When the
   * ledger cannot be reached, a pod keeps its share for half a TTL after the last answer (the
   * ledger still records it), then falls back to the partitioned share; on recovery its local
   * share drops to 0 before the ledger is asked again, since the fallback share was never recorded.
   */
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
  private final Map<String, TrackedPool> pools = new ConcurrentHashMap<>();
  private final AtomicLong errors = new AtomicLong();
  private volatile int liveReplicas;
  private volatile boolean closed;

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
    TrackedPool tracked = pools.compute(runtime.name(), (name, existing) ->
        existing != null && existing.runtime == runtime ? existing : new TrackedPool(runtime));
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
    TrackedPool tracked = pools.get(pool);
    if (tracked != null) {
      tracked.retiring = true;
      requestRound(tracked);
    }
  }

  private void requestRound(TrackedPool tracked) {
    if (!closed && tracked.rounds.request()) {
      try {
        scheduler.execute(() -> round(tracked));
      } catch (RejectedExecutionException e) {
        tracked.rounds.reset(); // closing
      }
    }
  }

  private void roundEnded(TrackedPool tracked) {
    if (tracked.rounds.runAgain()) {
      round(tracked); // someone asked during the round
    } else if (tracked.starving && !closed) {
      scheduler.schedule(() -> requestRound(tracked), retryMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * One round over the pool's pods, guarded: a round that throws (a bug) would leave the pool's
   * coalescer RUNNING and the pool without rounds for good; instead it is logged, the coalescer
   * reset, and a round asked again after the retry delay. Scheduler thread.
   */
  private void round(TrackedPool tracked) {
    try {
      startRound(tracked);
    } catch (RuntimeException e) {
      recover(tracked, e);
    }
  }

  private void recover(TrackedPool tracked, RuntimeException e) {
    LOG.error("ModelPool {}: a budget ledger round failed; retrying in {} ms", tracked.runtime.name(), retryMillis, e);
    tracked.rounds.reset();
    if (!closed) {
      try {
        scheduler.schedule(() -> requestRound(tracked), retryMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // closing: nothing more to do
      }
    }
  }

  private void startRound(TrackedPool tracked) {
    PoolRuntime runtime = tracked.runtime;
    boolean active = tracked.active(closed);
    tracked.reconcile(active ? runtime.admission().pods() : List.of());
    long queued = active ? runtime.admission().queuedTokens() : 0;
    boolean othersWaiting = tracked.othersWaiting;
    tracked.starving = false;
    tracked.failed = false;
    tracked.seenWaiting = false;
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (Map.Entry<String, PodShare> entry : tracked.pods.entrySet()) {
      String podId = entry.getKey();
      PodShare share = entry.getValue();
      long goneReserved = share.pruneGone();
      PodBudget pod = share.live;
      SharePolicy.Lease lease;
      if (pod == null) {
        lease = SharePolicy.keepOnly(goneReserved, share.whole);
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
        // A fallback share is not taken away while the call is out: against a ledger that times
        // out rather than fails fast, the next call starts at once, and the replica would hold 0
        // for the whole outage. The lease still counts none of it (the ledger never recorded it).
        if (!share.fallingBack) {
          ask.localFirst().ifPresent(local -> runtime.admission().setShare(podId, local, share.whole));
        }
        // Read again after the local change: a reservation may have raced the shrink.
        lease = SharePolicy.lease(ask, share.fallingBack ? 0 : pod.budget(), pod.reserved(), goneReserved,
            share.whole);
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
        .whenCompleteAsync((done, failure) -> {
          try {
            finish(tracked);
          } catch (RuntimeException e) {
            recover(tracked, e);
          }
        }, scheduler);
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

  private void applied(TrackedPool tracked, String podId, PodShare share, PodBudget pod, long want, long sentGone,
      long sentAt, SharedLedger.Grant grant, Throwable failure) {
    PoolRuntime runtime = tracked.runtime;
    boolean active = tracked.active(closed);
    if (failure != null) {
      errors.incrementAndGet();
      tracked.failed = true;
      tracked.lastFailure = failure.toString();
      listener.ledgerFailed(runtime.name(), failure);
      if (pod != null && active && share.live == pod
          && SharePolicy.fallsBack(share.confirmed, share.confirmedAt, nanoTime.getAsLong(), graceNanos)) {
        share.confirmed = false;
        share.fallingBack = true;
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
      share.fallingBack = false;
      share.confirmedAt = sentAt;
      runtime.admission().setShare(podId, SharePolicy.grantedLocally(grant.granted(), sentGone), share.whole);
    }
  }

  private void finish(TrackedPool tracked) {
    PoolRuntime runtime = tracked.runtime;
    if (!tracked.active(closed)) {
      tracked.departAll();
      boolean wantedAgain = tracked.active(closed); // track() meanwhile
      if (tracked.pods.isEmpty() && !wantedAgain) {
        if (pools.remove(runtime.name(), tracked)) {
          runtime.coordinateWith(signal -> { });
        }
        runtime.setCoordination(PoolRuntime.Coordination.NONE);
        tracked.rounds.reset();
        return;
      }
    } else {
      boolean fallback = tracked.onFallback();
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
        for (TrackedPool tracked : pools.values()) {
          for (Map.Entry<String, PodShare> entry : tracked.pods.entrySet()) {
            PodShare share = entry.getValue();
            SharePolicy.Lease lease = SharePolicy.keepOnly(share.reserved(), share.whole);
            calls.add(ledger.lease(tracked.runtime.name(), entry.getKey(), replica, lease.want(), lease.keep(),
                lease.atLeast(), lease.budget()).toCompletableFuture());
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
