package io.sluice.router.coordination;

import java.util.concurrent.CompletionStage;

/**
 * A ledger of pod budgets shared by every router replica (Redis in production). Each replica holds
 * a share of each pod's budget under a lease that lapses unless renewed; the ledger makes sure the
 * shares of one pod never add up to more than its budget, except for what a replica already holds
 * and cannot give back ({@code keep}).
 */
public interface SharedLedger {

  /**
   * What the ledger answered.
   *
   * @param granted this replica's share now: at least {@code keep}, at most {@code max(keep, want)}
   * @param othersWaiting tokens other replicas asked for and did not get: they wait for shares to free up
   */
  record Grant(long granted, long othersWaiting) {}

  /**
   * Sets this replica's share of the pod's {@code budget} and renews its lease. The share becomes
   * {@code max(keep, offer)} where {@code offer = min(want, budget - shares of the other live
   * replicas)}, or 0 when it is below {@code atLeast} (all or nothing: a share too small for the
   * request waiting would only block others); with {@code want} and {@code keep} both 0 the share
   * is dropped. Completes exceptionally when the ledger cannot be reached.
   *
   * @param keep what this replica already holds and may admit against: never taken away
   * @param atLeast the smallest offer worth taking; 0 takes any
   */
  CompletionStage<Grant> lease(String pool, String pod, String replica, long want, long keep, long atLeast,
      long budget);

  /** This replica's share of every pod as the ledger has it; for tests and diagnostics. */
  CompletionStage<Long> shareOf(String pool, String pod, String replica);

  /** The live shares of a pod, all replicas together; for tests and diagnostics. */
  CompletionStage<Long> total(String pool, String pod);
}
