package io.sluice.sim.engine;

import java.util.ArrayList;
import java.util.List;

/** Builders and recorders shared by the model tests. */
final class TestSeqs {
    private TestSeqs() {
    }

    /** A prompt of {@code length} token ids starting at {@code base}, all distinct from other bases. */
    static int[] prompt(int base, int length) {
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = base * 100_000 + i;
        }
        return t;
    }

    static Sequence seq(String id, int promptLength, int outputTokens) {
        return new Sequence(id, prompt(id.hashCode() & 0x3FFF, promptLength), outputTokens, FinishReason.STOP, null, 0);
    }

    static Profile flatProfile() {
        return new Profile("flat", "1 ms per step, any batch", 1.0, 0.0, 0.0, Double.POSITIVE_INFINITY, 1 << 20, 5.0);
    }

    /** Records listener events in order. */
    static final class Recorder implements EngineListener {
        final List<String> events = new ArrayList<>();
        final List<Sequence> preempted = new ArrayList<>();
        final List<Integer> freeAtPreemption = new ArrayList<>();
        final List<Sequence> finished = new ArrayList<>();
        EngineCore core;

        @Override
        public void onToken(Sequence seq, int index, long nowNanos) {
            events.add("token " + seq.id() + " " + index + " @" + nowNanos);
        }

        @Override
        public void onFinish(Sequence seq, FinishReason reason, long nowNanos) {
            finished.add(seq);
        }

        @Override
        public void onPreempt(Sequence seq, long nowNanos) {
            preempted.add(seq);
            freeAtPreemption.add(core.freeBlocks());
        }
    }

    static EngineCore core(EngineConfig config, Recorder recorder) {
        EngineCore core = new EngineCore(config, recorder);
        recorder.core = core;
        return core;
    }
}
