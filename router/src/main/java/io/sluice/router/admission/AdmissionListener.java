package io.sluice.router.admission;

/** Receives what admission does, for metrics. Called on hot paths: must be cheap and never block. */
public interface AdmissionListener {
  AdmissionListener NONE = new AdmissionListener() {};

  default void outcome(String trafficClass, Outcome outcome) {}

  /** A queued request left the queue admitted after waiting {@code nanos}. */
  default void waited(String trafficClass, long nanos) {}

  /** A reservation of {@code tokens} ended and gave its tokens back. */
  default void released(long tokens) {}
}
