package io.sluice.router.admission;

import java.util.ArrayList;
import java.util.List;

/** Remembers what admission told it, in order, across waiters. */
final class RecordingCallback implements AdmissionCallback {
  final String name;
  final List<String> log;
  Reservation reservation;
  long waitedNanos = -1;
  boolean expired;

  RecordingCallback(String name, List<String> log) {
    this.name = name;
    this.log = log;
  }

  RecordingCallback(String name) {
    this(name, new ArrayList<>());
  }

  @Override
  public void admitted(Reservation reservation, long waitedNanos) {
    if (this.reservation != null || expired) {
      throw new AssertionError(name + " told twice");
    }
    this.reservation = reservation;
    this.waitedNanos = waitedNanos;
    log.add(name);
  }

  @Override
  public void expired(long waitedNanos) {
    if (this.reservation != null || expired) {
      throw new AssertionError(name + " told twice");
    }
    expired = true;
    this.waitedNanos = waitedNanos;
    log.add(name + ":expired");
  }
}
