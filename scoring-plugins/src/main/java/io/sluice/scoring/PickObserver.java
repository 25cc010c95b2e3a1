package io.sluice.scoring;

/**
 * Implemented by stateful plugins (of any kind) that learn from decisions: told of every pick of
 * the profile they belong to, on the thread that picked. Must be thread-safe and cheap.
 */
@FunctionalInterface
public interface PickObserver {
  /** {@code chosen} was picked for {@code request}. */
  void picked(ScoringRequest request, Endpoint chosen);
}
