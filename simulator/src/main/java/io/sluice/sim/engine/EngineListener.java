package io.sluice.sim.engine;

/**
 * Receives what the engine produces, at the virtual time each step ends. Called on the
 * engine's own thread; implementations must not call back into the engine re-entrantly
 * except {@link EngineCore#abort}.
 */
public interface EngineListener {
    /**
     * The sequence joined the running batch at {@code nowNanos} (the start of the step that first
     * computes it); called again after each preemption. The offline simulator's queue wait.
     */
    default void onAdmit(Sequence seq, long nowNanos) {
    }

    /** The sequence produced output token number {@code index} (0-based). */
    default void onToken(Sequence seq, int index, long nowNanos) {
    }

    /** The sequence ended with {@code reason} (never ABORT: aborts are the caller's own). */
    default void onFinish(Sequence seq, FinishReason reason, long nowNanos) {
    }

    /**
     * The sequence is being preempted because a running sequence needs a block and none is
     * free; it still holds its blocks now and next goes back to the head of the waiting queue.
     */
    default void onPreempt(Sequence seq, long nowNanos) {
    }
}
