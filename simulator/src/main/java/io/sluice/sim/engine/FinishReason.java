package io.sluice.sim.engine;

/** Why a sequence ended, with the OpenAI {@code finish_reason} it reports. */
public enum FinishReason {
    /** Reached its natural length (the model emitted end-of-sequence). */
    STOP("stop"),
    /** Cut at max_tokens or at the model's context length. */
    LENGTH("length"),
    /** The client went away; never reported on the wire. */
    ABORT("abort");

    private final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
