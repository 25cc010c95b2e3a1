package io.sluice.scoring.plugins.prefixaffinity;

import java.util.Arrays;

/** The pods that most recently served one block, newest first; immutable and small. */
final class PodSet {
  static final int MAX_PODS = 4;

  private final String[] ids;

  private PodSet(String[] ids) {
    this.ids = ids;
  }

  static PodSet of(String id) {
    return new PodSet(new String[] {id});
  }

  String newest() {
    return ids[0];
  }

  boolean contains(String id) {
    for (String each : ids) {
      if (each.equals(id)) {
        return true;
      }
    }
    return false;
  }

  /** This set with {@code id} moved or added to the front, the oldest dropped past the bound. */
  PodSet with(String id) {
    if (ids[0].equals(id)) {
      return this;
    }
    String[] next = new String[Math.min(MAX_PODS, contains(id) ? ids.length : ids.length + 1)];
    next[0] = id;
    int j = 1;
    for (int i = 0; i < ids.length && j < next.length; i++) {
      if (!ids[i].equals(id)) {
        next[j++] = ids[i];
      }
    }
    return new PodSet(next);
  }

  int size() {
    return ids.length;
  }

  @Override
  public String toString() {
    return Arrays.toString(ids);
  }
}
