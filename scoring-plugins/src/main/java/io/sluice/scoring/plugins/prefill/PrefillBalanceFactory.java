package io.sluice.scoring.plugins.prefill;

import io.sluice.scoring.NoArgsScorerFactory;

/** Makes {@link PrefillBalance} scorers; no arguments. */
public final class PrefillBalanceFactory extends NoArgsScorerFactory {
  public PrefillBalanceFactory() {
    super(PrefillBalance.TYPE, PrefillBalance::new);
  }
}
