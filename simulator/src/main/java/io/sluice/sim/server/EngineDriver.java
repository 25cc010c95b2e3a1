package io.sluice.sim.server;

import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.EngineCore;
import io.sluice.sim.engine.EngineListener;
import io.sluice.sim.engine.FinishReason;
import io.sluice.sim.engine.Sequence;
import io.sluice.sim.engine.StepPlan;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs an {@link EngineCore} in real time scaled by a factor: model time = wall time x scale.
 * Each step's end is scheduled with a Vert.x timer; when the timer is late or steps are shorter
 * than a timer tick, due steps are run back to back on model time, so the model's schedule
 * never drifts even when its tokens leave in small bursts.
 */
/* Concurrency: confined. Every method runs on the event-loop thread that constructed the driver
 * (the server verticle's, in start()); HTTP handlers of that verticle call in directly and
 * timers fire there. The model does only in-memory work per step (microseconds), so it never
 * blocks the loop; tokenization happens on worker threads before submit. Driver states:
 * IDLE (no step in flight, no timer) and STEPPING (a plan in flight and its timer armed);
 * submit in IDLE starts a step at once, submit in STEPPING waits for the next step. */
final class EngineDriver implements EngineListener {
    /** Receives one request's results. */
    interface Sink {
        void onToken(int index, long modelNanos);

        void onFinish(FinishReason reason, int outputTokens, long modelNanos);
    }

    private static final int MAX_STEPS_PER_TICK = 10_000;

    private final Vertx vertx;
    private final EngineCore core;
    private final double timeScale;
    private final long startWall = System.nanoTime();
    private final Map<String, Sink> sinks = new HashMap<>();
    private final Histogram ttft = new Histogram(Histogram.TTFT_BUCKETS);
    private final Histogram e2e = new Histogram(Histogram.LATENCY_BUCKETS);
    private StepPlan inFlight;
    private int peakUsedBlocks;
    private final Thread owner;

    /** Must be constructed on the event loop that will own it (the verticle's start). */
    EngineDriver(Vertx vertx, EngineConfig config, double timeScale) {
        this.vertx = vertx;
        this.core = new EngineCore(config, this);
        this.timeScale = timeScale;
        this.owner = Thread.currentThread();
    }

    long modelNow() {
        return (long) ((System.nanoTime() - startWall) * timeScale);
    }

    EngineCore core() {
        return core;
    }

    /** Most KV blocks in use at once, sampled as each step is planned (when blocks are taken). */
    int peakUsedBlocks() {
        return peakUsedBlocks;
    }

    Histogram ttft() {
        return ttft;
    }

    Histogram e2e() {
        return e2e;
    }

    void submit(Sequence seq, Sink sink) {
        checkContext();
        sinks.put(seq.id(), sink);
        core.submit(seq);
        if (inFlight == null) {
            run(modelNow());
        }
    }

    /** Aborts a request (client gone): its blocks are freed at once. */
    void abort(String id) {
        checkContext();
        if (sinks.remove(id) != null) {
            core.abort(id, modelNow());
        }
    }

    private void run(long startAt) {
        long next = startAt;
        for (int i = 0; i < MAX_STEPS_PER_TICK; i++) {
            if (inFlight != null) {
                if (inFlight.endNanos() > modelNow()) {
                    break;
                }
                StepPlan done = inFlight;
                inFlight = null;
                core.finishStep(done);
                next = done.endNanos();
            }
            if (!core.hasWork()) {
                return;
            }
            inFlight = core.beginStep(next);
            peakUsedBlocks = Math.max(peakUsedBlocks, core.totalBlocks() - core.freeBlocks());
            if (inFlight == null) {
                return;
            }
        }
        long waitWallNanos = (long) ((inFlight.endNanos() - modelNow()) / timeScale);
        long delayMs = Math.max(1, (waitWallNanos + 999_999) / 1_000_000);
        vertx.setTimer(delayMs, id -> run(modelNow()));
    }

    @Override
    public void onToken(Sequence seq, int index, long nowNanos) {
        if (index == 0) {
            ttft.observe((nowNanos - seq.arrivalNanos()) / 1e9);
        }
        Sink sink = sinks.get(seq.id());
        if (sink != null) {
            sink.onToken(index, nowNanos);
        }
    }

    @Override
    public void onFinish(Sequence seq, FinishReason reason, long nowNanos) {
        e2e.observe((nowNanos - seq.arrivalNanos()) / 1e9);
        Sink sink = sinks.remove(seq.id());
        if (sink != null) {
            sink.onFinish(reason, seq.outputTokens(), nowNanos);
        }
    }

    /** Handlers run on duplicates of the verticle's context; all share its event-loop thread. */
    private void checkContext() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("engine driver used off its event loop: " + Thread.currentThread().getName());
        }
    }
}
