package io.sluice.router.coordination;

import io.sluice.router.admission.PodBudget;
import java.util.ArrayList;
import java.util.List;

/**
 * One pod id's share as this replica knows it: the live pod with that id, if any, and the
 * departed ones (removed or replaced) whose reservations still count until they end. Used on the
 * coordinator's scheduler thread only.
 */
final class PodShare {
  PodBudget live;
  final List<PodBudget> gone = new ArrayList<>();
  /** Whether the ledger granted the local share (false while new, or on the fallback share). */
  boolean confirmed;
  /** Whether the local share is the fallback share (the ledger failed past its grace); cleared by a grant. */
  boolean fallingBack;
  /** When the last lease the ledger answered was sent (the clock's nanoseconds): the ledger's record lasts a TTL from then. */
  long confirmedAt;
  /** The pod's whole budget as last known; 0 until known. */
  long whole;

  /** {@code pod} is the live pod of this id; a different one before it departs. */
  void liveIs(PodBudget pod) {
    if (live != pod) {
      if (live != null) {
        gone.add(live); // replaced: its reservations still count until they end
      }
      live = pod;
      confirmed = false;
      fallingBack = false;
    }
  }

  /** No live pod has this id any more. */
  void departed() {
    if (live != null) {
      gone.add(live);
      live = null;
    }
  }

  /** Forgets the departed pods that hold nothing; returns what the others still reserve. */
  long pruneGone() {
    gone.removeIf(pod -> pod.inFlight() == 0 && pod.reserved() <= 0);
    return goneReserved();
  }

  long goneReserved() {
    return gone.stream().mapToLong(PodBudget::reserved).sum();
  }

  /** What the live and departed pods of this id reserve. */
  long reserved() {
    return goneReserved() + (live == null ? 0 : live.reserved());
  }
}
