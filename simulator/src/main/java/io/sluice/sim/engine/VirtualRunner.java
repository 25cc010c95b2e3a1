package io.sluice.sim.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Drives an {@link EngineCore} on virtual time with no threads and no sleeps: arrivals are
 * events, steps take their modelled duration instantly. Used by the model tests, by the
 * calibrate command and by offline simulations.
 */
public final class VirtualRunner {
    private record Arrival(long atNanos, long order, Sequence seq) {
    }

    private final EngineCore core;
    private final PriorityQueue<Arrival> arrivals = new PriorityQueue<>(
            Comparator.comparingLong(Arrival::atNanos).thenComparingLong(Arrival::order));
    private final List<Consumer<EngineCore>> afterStep = new ArrayList<>();
    private long now;
    private long order;

    public VirtualRunner(EngineCore core) {
        this.core = core;
    }

    public long nowNanos() {
        return now;
    }

    public EngineCore core() {
        return core;
    }

    /** Schedules an arrival; a time in the past means "now". */
    public void submitAt(long atNanos, Sequence seq) {
        arrivals.add(new Arrival(Math.max(atNanos, now), order++, seq));
    }

    /** Runs a check (or any action) after every step, e.g. invariants. */
    public void afterEachStep(Consumer<EngineCore> action) {
        afterStep.add(action);
    }

    /** Runs until no arrival is pending and the engine is idle, or until {@code limitNanos}. */
    public void runUntilIdle(long limitNanos) {
        while (now <= limitNanos) {
            deliverArrivals();
            StepPlan plan = core.hasWork() ? core.beginStep(now) : null;
            if (plan == null) {
                if (arrivals.isEmpty()) {
                    return;
                }
                now = Math.max(now, arrivals.peek().atNanos());
                continue;
            }
            now = plan.endNanos();
            core.finishStep(plan);
            for (Consumer<EngineCore> action : afterStep) {
                action.accept(core);
            }
        }
    }

    public void runUntilIdle() {
        runUntilIdle(Long.MAX_VALUE);
    }

    private void deliverArrivals() {
        while (!arrivals.isEmpty() && arrivals.peek().atNanos() <= now) {
            core.submit(arrivals.poll().seq());
        }
    }
}
