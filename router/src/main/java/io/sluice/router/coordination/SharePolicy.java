package io.sluice.router.coordination;

import java.util.OptionalLong;

/**
 * How much of a pod's budget this replica asks the shared ledger for, what it gives back locally
 * before asking, and what it falls back to while the ledger cannot be reached. Pure: every input is
 * a value read by the {@link LedgerCoordinator}, which applies the answers.
 */
final class SharePolicy {
  /** An idle replica holds this fraction of a pod's budget as headroom, so a request rarely waits for a round. */
  static final int HEADROOM_DIVISOR = 8;

  private SharePolicy() {
  }

  /**
   * The share wanted for a live pod.
   *
   * @param want the share wanted (before what departed pods still hold is added)
   * @param atLeast the smallest grant worth taking, 0 for any (all or nothing while others wait)
   * @param localFirst the share to set locally before the ledger is asked, if it must change:
   *     a shrink is made locally first, so the ledger's record never falls below what may be admitted
   */
  record Ask(long want, long atLeast, OptionalLong localFirst) {}

  /** One call to {@link SharedLedger#lease}: its {@code want}, {@code keep}, {@code atLeast} and {@code budget}. */
  record Lease(long want, long keep, long atLeast, long budget) {}

  /**
   * @param whole the pod's whole budget (known, above 0)
   * @param share the pod's local share now
   * @param reserved the tokens reserved on the pod now
   * @param accepting whether the pod takes new requests
   * @param confirmed whether the ledger granted the local share (it is not the fallback, nor new)
   * @param othersWaiting whether other replicas wait for shares of the pool
   * @param queued the tokens waiting in this replica's queue for the pool
   * @param head the tokens of the head of the queue; read only when others wait
   */
  static Ask ask(long whole, long share, long reserved, boolean accepting, boolean confirmed, boolean othersWaiting,
      long queued, long head) {
    long want;
    long atLeast;
    if (!accepting) {
      want = 0;
      atLeast = 0;
    } else if (!othersWaiting) {
      // Nobody waits: hold what is reserved plus headroom, or what the queue needs; any part helps.
      want = Math.min(whole, reserved + Math.max(Math.min(queued, whole), Math.max(1, whole / HEADROOM_DIVISOR)));
      atLeast = 0;
    } else {
      // Others wait: hold only what is reserved, plus room for the head of the queue if the ledger
      // has it all. A partial share would block others without letting anything in (a deadlock
      // when every replica holds part of what it needs).
      long fits = Math.min(head, whole);
      want = Math.min(whole, reserved + fits);
      atLeast = share - reserved >= fits ? 0 : want;
    }
    OptionalLong localFirst;
    if (!confirmed) {
      localFirst = OptionalLong.of(0); // nothing local is backed by the ledger yet
    } else if (want < share) {
      localFirst = OptionalLong.of(want); // give back: locally first
    } else if (atLeast > 0) {
      localFirst = OptionalLong.of(Math.min(share, reserved)); // drop a partial share
    } else {
      localFirst = OptionalLong.empty();
    }
    return new Ask(want, atLeast, localFirst);
  }

  /**
   * The lease for a live pod, once {@code ask.localFirst()} is applied: it keeps what may be
   * admitted locally ({@code shareAfter}, read after the local change) and what is reserved, and
   * what departed pods of the same id still hold.
   */
  static Lease lease(Ask ask, long shareAfter, long reservedAfter, long goneReserved, long whole) {
    long keep = Math.max(shareAfter, reservedAfter) + goneReserved;
    long atLeast = ask.atLeast() > 0 ? ask.atLeast() + goneReserved : 0;
    return new Lease(ask.want() + goneReserved, keep, atLeast, Math.max(whole, keep));
  }

  /**
   * A lease that keeps only what is reserved, 0 dropping the share: for a pod id with no live pod
   * (what its departed pods still hold), and for every pod when this replica closes.
   */
  static Lease keepOnly(long reserved, long whole) {
    return new Lease(reserved, reserved, 0, Math.max(whole, reserved));
  }

  /** The local share for a grant: the ledger's grant covers the departed pods' reservations too. */
  static long grantedLocally(long granted, long goneReserved) {
    return Math.max(0, granted - goneReserved);
  }

  /**
   * Whether a failed call makes the pod fall back: within half a TTL of the last answer (the
   * grace) the ledger still records its share, so it keeps using it; past that the share may lapse.
   *
   * @param confirmedAt when the last call the ledger answered was sent (nanoseconds)
   */
  static boolean fallsBack(boolean confirmed, long confirmedAt, long now, long graceNanos) {
    return !confirmed || now - confirmedAt >= graceNanos;
  }

  /**
   * The partitioned share while the ledger cannot be reached: the whole budget divided by the live
   * replicas, or by the configured {@code fallbackReplicas} until the live count is known (0).
   */
  static long fallbackShare(long whole, int liveReplicas, int fallbackReplicas) {
    int replicas = liveReplicas > 0 ? liveReplicas : fallbackReplicas;
    return whole / Math.max(1, replicas);
  }
}
