package io.sluice.scoring.plugins;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** Random sources for plugins with an optional {@code seed} argument. */
public final class Randoms {
  private Randoms() {}

  /**
   * A thread-safe generator: seeded and repeatable when {@code seed} is given (one shared
   * {@link Random}, for tests and simulations), otherwise the calling thread's own.
   */
  public static RandomGenerator of(Long seed) {
    return seed == null ? ThreadLocal.INSTANCE : new Random(seed);
  }

  private enum ThreadLocal implements RandomGenerator {
    INSTANCE;

    @Override
    public long nextLong() {
      return ThreadLocalRandom.current().nextLong();
    }

    @Override
    public double nextDouble() {
      return ThreadLocalRandom.current().nextDouble();
    }

    @Override
    public int nextInt(int bound) {
      return ThreadLocalRandom.current().nextInt(bound);
    }
  }
}
