package io.sluice.scoring;

import java.util.List;

/** Removes candidates that must not take the request. Must be thread-safe. */
@FunctionalInterface
public interface Filter {
  /**
   * The candidates that may take the request, in their original order. May return {@code
   * candidates} itself when nothing is removed (the engine never modifies the list); an empty list
   * means no pod can take the request now.
   */
  List<Endpoint> filter(ScoringRequest request, List<Endpoint> candidates);
}
