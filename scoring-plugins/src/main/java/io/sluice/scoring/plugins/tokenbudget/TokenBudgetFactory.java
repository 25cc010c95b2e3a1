package io.sluice.scoring.plugins.tokenbudget;

import io.sluice.scoring.Kind;
import io.sluice.scoring.NoArgs;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link TokenBudget} filters and scorers; no arguments. */
public final class TokenBudgetFactory implements PluginFactory {
  @Override
  public String type() {
    return TokenBudget.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.FILTER, Kind.SCORER);
  }

  @Override
  public Class<?> argsType() {
    return NoArgs.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new TokenBudget();
  }
}
