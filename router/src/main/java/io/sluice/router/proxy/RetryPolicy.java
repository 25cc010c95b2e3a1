package io.sluice.router.proxy;

import io.sluice.crd.HealthSpec;

/**
 * Whether a request whose attempt ended without a usable answer is tried again, and how: a pure
 * function of how the attempt ended and what the request has used so far. {@link Forwarder} asks it
 * once per attempt and carries the decision out.
 *
 * <p>Only an attempt whose answer has not started to reach the client is ever decided here: once
 * the relay begins ({@link Exchange.Phase#RELAYING}) nothing is retried, so the bytes already sent
 * are always none.
 *
 * <p>Two questions are left to the caller because asking them has effects: whether the pool's
 * retry budget grants one more try (asking takes a unit) and whether another pod takes the request
 * (asking reserves there). A decision that depends on them says what happens when either says no
 * ({@code otherwise}).
 *
 * @param maxAttempts pods a request may be sent to ({@link HealthSpec#maxAttempts()})
 * @param maxRequeues times a request may go back into the queue ({@link HealthSpec#maxRequeues()})
 */
record RetryPolicy(int maxAttempts, int maxRequeues) {

  /** The status passed with an ending that is not {@link Ending#ANSWERED}. */
  static final int NO_STATUS = 0;

  static RetryPolicy of(HealthSpec health) {
    return new RetryPolicy(health.maxAttempts(), health.maxRequeues());
  }

  /** How an attempt ended. */
  enum Ending {
    /** The pod's response headers came, with a status. */
    ANSWERED,
    /** The connection was refused, failed or was reset before the pod answered. */
    BROKEN,
    /** The pod did not answer within {@code responseTimeout}. */
    TIMED_OUT,
    /** The pod the request held a reservation on left the pool before the request was sent. */
    POD_LEFT
  }

  /** What to do with the request. */
  sealed interface Decision {
    /** Pass the pod's answer to the client as it is. */
    record Relay() implements Decision { }

    /** Nobody will read an answer (the client left, or the router ended the request): stop here. */
    record Drop() implements Decision { }

    /** Answer the client with the router's own error of this status. */
    record Fail(int status) implements Decision { }

    /**
     * Back into the admission queue, keeping the request's age, if the retry budget grants it;
     * else {@code otherwise}.
     */
    record Requeue(Decision otherwise) implements Decision { }

    /**
     * To the next-best pod not tried yet, if the retry budget grants it (only when {@code
     * budgeted}) and such a pod takes the request (or, when one exists but is full, back into the
     * queue while requeues are left: {@link #waitsForFullPod}); else {@code otherwise}.
     */
    record RetryOtherPod(boolean budgeted, Decision otherwise) implements Decision { }
  }

  // The few decisions there are, made once: the proxy's path to a pod allocates none.
  static final Decision RELAY = new Decision.Relay();
  static final Decision DROP = new Decision.Drop();
  static final Decision FAIL_502 = new Decision.Fail(502);
  static final Decision FAIL_503 = new Decision.Fail(503);
  static final Decision FAIL_504 = new Decision.Fail(504);
  private static final Decision REQUEUE_ELSE_RELAY = new Decision.Requeue(RELAY);
  private static final Decision RETRY_ELSE_RELAY = new Decision.RetryOtherPod(true, RELAY);
  private static final Decision RETRY_ELSE_502 = new Decision.RetryOtherPod(true, FAIL_502);
  private static final Decision MOVE_ELSE_503 = new Decision.RetryOtherPod(false, FAIL_503);

  /**
   * What to do after an attempt ended.
   *
   * @param status the pod's status when {@code ending} is {@link Ending#ANSWERED}, else {@link #NO_STATUS}
   * @param attempts pods the request has been sent to, this attempt's included
   * @param requeues times the request went back into the queue so far
   * @param admitted whether the request holds a reservation (false: a request passed through)
   * @param over whether nobody will read an answer any more ({@link Exchange#over()})
   */
  Decision decide(Ending ending, int status, int attempts, int requeues, boolean admitted, boolean over) {
    return switch (ending) {
      // A pod that answers 429 / 503 is pressed: the request waits for room rather than try the
      // next pod at once. Other 5xx are the pod's failure: the next pod may do better. Anything
      // else is the engine's answer, and the client gets it.
      case ANSWERED -> over ? DROP
          : (status == 429 || status == 503) && admitted && requeues < maxRequeues ? REQUEUE_ELSE_RELAY
          : status >= 500 && status != 503 && attempts < maxAttempts ? RETRY_ELSE_RELAY
          : RELAY;
      case BROKEN -> over ? DROP : attempts < maxAttempts ? RETRY_ELSE_502 : FAIL_502;
      // Final, and answered even when the client has left (the error then reaches nobody).
      case TIMED_OUT -> FAIL_504;
      // No attempt was made and no pod failed: neither the budget nor maxAttempts applies.
      case POD_LEFT -> MOVE_ELSE_503;
    };
  }

  /**
   * Whether a request holding a reservation that no other pod takes right now waits in the queue
   * for one it has not tried: only while such a pod exists and requeues are left. (A request passed
   * through never waits: it has no place in the queue.)
   *
   * @param untriedLeft whether the pool has a pod the request has not been sent to
   */
  boolean waitsForFullPod(boolean untriedLeft, int requeues) {
    return untriedLeft && requeues < maxRequeues;
  }
}
