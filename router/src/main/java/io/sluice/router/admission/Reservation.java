package io.sluice.router.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Tokens held on one pod for one request. Whoever holds it owns the capacity and must end it with
 * {@link #release()}; the first release takes effect, later ones do nothing.
 *
 * <p>Concurrency: one atomic word holds both the state and the size: {@code >= 0} tokens while
 * active, {@code -1} once released. Growth adds by CAS only while active, then adds to the pod; a
 * release swaps in {@code -1} and subtracts whatever size it found. Whatever the interleaving, the
 * pod's counter ends exactly where it started.
 */
public final class Reservation {
  private static final long RELEASED = -1;

  private final PodBudget pod;
  private final AtomicLong tokens;
  /** Prompt tokens counted in the pod's pending prefill until the first token (or the release). */
  private final AtomicLong prefill;

  /** Pending prompt tokens on the pod ahead of this one when it was reserved, and when. */
  private final long prefillAhead;
  private final long reservedAt;

  Reservation(PodBudget pod, long tokens) {
    this(pod, tokens, 0, 0, 0);
  }

  Reservation(PodBudget pod, long tokens, long prompt, long prefillAhead, long reservedAt) {
    this.pod = pod;
    this.tokens = new AtomicLong(tokens);
    this.prefill = new AtomicLong(prompt);
    this.prefillAhead = prefillAhead;
    this.reservedAt = reservedAt;
  }

  /**
   * The engine produced the request's first token: its prompt no longer counts as pending prefill
   * on the pod, and the time it took teaches the pod's prefill rate. Only the first of this,
   * {@link #prefillEnded()} and the release takes effect.
   */
  public void firstToken() {
    endPrefill(true);
  }

  /**
   * The prompt no longer counts as pending, but the time says nothing about the prefill: an answer
   * the router cannot see token by token began (its first token came at some point before).
   */
  public void prefillEnded() {
    endPrefill(false);
  }

  private void endPrefill(boolean seen) {
    long prompt = prefill.getAndSet(0);
    if (prompt != 0) {
      pod.prefillDone(prompt, seen, prefillAhead, reservedAt);
    }
  }

  public String podId() {
    return pod.podId();
  }

  public PodBudget pod() {
    return pod;
  }

  /** Tokens held now (grows with overruns); 0 once released. */
  public long tokens() {
    return Math.max(0, tokens.get());
  }

  public boolean active() {
    return tokens.get() != RELEASED;
  }

  /**
   * Holds {@code extra} more tokens: a stream outgrew its estimate. Never refused, since the engine
   * already holds those tokens; counted as overrun. Returns false once released.
   */
  public boolean grow(long extra) {
    if (extra <= 0) {
      return active();
    }
    while (true) {
      long current = tokens.get();
      if (current == RELEASED) {
        return false;
      }
      if (tokens.compareAndSet(current, current + extra)) {
        pod.grown(extra);
        return true;
      }
    }
  }

  /** Gives the tokens back to the pod. Returns true for the call that took effect. */
  public boolean release() {
    long held = tokens.getAndSet(RELEASED);
    if (held == RELEASED) {
      return false;
    }
    endPrefill(false);
    pod.released(held);
    return true;
  }
}
