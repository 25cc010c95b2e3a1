package io.sluice.scoring.plugins.leastrequest;

import io.sluice.scoring.NoArgsScorerFactory;

/** Makes {@link LeastRequest} scorers; no arguments. */
public final class LeastRequestFactory extends NoArgsScorerFactory {
  public LeastRequestFactory() {
    super(LeastRequest.TYPE, LeastRequest::new);
  }
}
