package io.sluice.router.admission;

import io.sluice.crd.QueuePolicy;

/**
 * Where a request ranks among waiters of its priority: the time, in seconds since the queue's
 * epoch, it counts as having arrived at. The queue's key is then {@code priority - ageBoost x
 * that time}, which never changes while it waits, so the queue stays a sorted set.
 */
interface QueueOrder {
  /** Arrival order. */
  QueueOrder FIFO = new QueueOrder() {
    @Override
    public double startSeconds(AdmissionRequest request, double arrivedSeconds, double tokensPerSecond) {
      return arrivedSeconds;
    }
  };

  double startSeconds(AdmissionRequest request, double arrivedSeconds, double tokensPerSecond);

  /** Forgets state about requests that would have been served by {@code seconds}. */
  default void forgetBefore(double seconds) {}

  /** Token-fair order: start-time fair queueing charged in tokens across tenants ({@link FairShare}). */
  static QueueOrder tokenFair() {
    FairShare share = new FairShare();
    return new QueueOrder() {
      @Override
      public double startSeconds(AdmissionRequest request, double arrivedSeconds, double tokensPerSecond) {
        return share.startTag(request, arrivedSeconds, tokensPerSecond);
      }

      @Override
      public void forgetBefore(double seconds) {
        share.forgetBefore(seconds);
      }
    };
  }

  /** The order of {@code policy}, taking {@code tokenFair} (which keeps state) for token-fair. */
  static QueueOrder of(QueuePolicy policy, QueueOrder tokenFair) {
    return switch (policy) {
      case FIFO -> FIFO;
      case TOKEN_FAIR -> tokenFair;
    };
  }
}
