package io.sluice.router.estimate.jinja;

import java.util.function.LongSupplier;

/**
 * Bounds on one render, so that no template and no input can hold a thread or fill the heap: the
 * characters written, the evaluation steps taken (every node and loop iteration is one), the
 * nesting depth of macro calls and expressions, and the time, read from {@code nanoTime} every
 * few thousand steps.
 *
 * @param maxOutputChars characters the render may write
 * @param maxSteps evaluation steps
 * @param maxDepth macro call and expression nesting
 * @param maxNanos time, by {@code nanoTime}
 * @param nanoTime the clock the time bound is read from
 */
public record Limits(long maxOutputChars, long maxSteps, int maxDepth, long maxNanos, LongSupplier nanoTime) {
  public Limits {
    if (maxOutputChars <= 0 || maxSteps <= 0 || maxDepth <= 0 || maxNanos <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }
}
