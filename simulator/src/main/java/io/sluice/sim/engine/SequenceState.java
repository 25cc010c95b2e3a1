package io.sluice.sim.engine;

/** Life cycle of a sequence inside the engine. */
public enum SequenceState {
    WAITING, RUNNING, FINISHED, ABORTED
}
