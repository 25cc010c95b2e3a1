package io.sluice.scoring.plugins.tokenbudget;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.Filter;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;
import java.util.ArrayList;
import java.util.List;

/**
 * Admission by token cost. Filter: keeps pods where {@code reservation <= budget - reserved}.
 * Scorer: {@code (budget - reserved - reservation) / budget}, the share of the budget left after
 * this request (0 for a pod with no budget; negative values clamp to 0).
 */
public final class TokenBudget implements Filter, Scorer {
  public static final String TYPE = "token-budget";

  static boolean fits(ScoringRequest request, Endpoint endpoint) {
    return request.reservationTokens() <= endpoint.budgetTokens() - endpoint.reservedTokens();
  }

  @Override
  public List<Endpoint> filter(ScoringRequest request, List<Endpoint> candidates) {
    int n = candidates.size();
    int first = 0;
    while (first < n && fits(request, candidates.get(first))) {
      first++;
    }
    if (first == n) {
      return candidates;
    }
    List<Endpoint> kept = new ArrayList<>(n - 1);
    for (int i = 0; i < n; i++) {
      Endpoint e = candidates.get(i);
      if (i != first && fits(request, e)) {
        kept.add(e);
      }
    }
    return kept;
  }

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    long budget = endpoint.budgetTokens();
    if (budget <= 0) {
      return 0;
    }
    long left = budget - endpoint.reservedTokens() - request.reservationTokens();
    return left <= 0 ? 0 : (double) left / budget;
  }
}
