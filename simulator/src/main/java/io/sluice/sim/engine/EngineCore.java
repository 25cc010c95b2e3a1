package io.sluice.sim.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A vLLM-V1-like engine core on a virtual clock: paged KV cache, continuous batching with
 * chunked prefill, recompute preemption of the most recently admitted sequence, automatic
 * prefix caching and LoRA slots. It has no threads and no clock of its own: a driver calls
 * {@link #beginStep} at some time, waits {@link StepPlan#durationNanos} (really or virtually)
 * and calls {@link #finishStep}; arrivals and aborts may come in between.
 */
/* Concurrency: not thread-safe. The owner confines every call to one thread (the server's
 * engine context, or the offline simulator's loop). States of the step protocol:
 * IDLE --beginStep--> STEPPING --finishStep--> IDLE; beginStep while STEPPING and finishStep
 * while IDLE are programming errors and throw IllegalStateException. */
public final class EngineCore {
    private final EngineConfig config;
    private final KvCacheManager kv;
    private final LoraSlots loras;
    private final EngineListener listener;
    private final EngineStats stats = new EngineStats();
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Map<String, Sequence> live = new HashMap<>();
    private long admissions;
    private StepPlan current;

    public EngineCore(EngineConfig config, EngineListener listener) {
        this.config = config;
        this.kv = new KvCacheManager(config.numBlocks(), config.blockSize(), config.prefixCaching());
        this.loras = new LoraSlots(config.maxLoras());
        this.listener = listener;
    }

    /** Queues a sequence at the tail of the waiting queue. */
    public void submit(Sequence seq) {
        if (seq.promptLength() + 1 > config.maxModelLen()) {
            throw new IllegalArgumentException("prompt of " + seq.promptLength()
                    + " tokens cannot fit a cache of " + config.maxModelLen() + " tokens");
        }
        if (live.putIfAbsent(seq.id(), seq) != null) {
            throw new IllegalArgumentException("duplicate sequence id " + seq.id());
        }
        seq.state = SequenceState.WAITING;
        waiting.addLast(seq);
    }

    /** Removes a sequence wherever it is and frees its blocks at once; false if it already ended. */
    public boolean abort(String id, long nowNanos) {
        Sequence seq = live.remove(id);
        if (seq == null) {
            return false;
        }
        if (seq.state == SequenceState.RUNNING) {
            running.remove(seq);
        } else {
            waiting.remove(seq);
        }
        kv.free(seq);
        seq.state = SequenceState.ABORTED;
        seq.finishReason = FinishReason.ABORT;
        seq.finishNanos = nowNanos;
        stats.aborted++;
        return true;
    }

    public boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    public boolean stepping() {
        return current != null;
    }

    /** Schedules one step at {@code nowNanos}; null when there is nothing to run. */
    public StepPlan beginStep(long nowNanos) {
        if (current != null) {
            throw new IllegalStateException("beginStep while a step is in flight");
        }
        StepPlan plan = new StepPlan();
        plan.startNanos = nowNanos;
        int budget = config.maxBatchedTokens();
        boolean preempted = false;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence seq = running.get(i);
            int n = Math.min(seq.totalTokens() - seq.computedTokens, budget);
            while (!kv.ensureSlots(seq, seq.computedTokens + n)) {
                Sequence victim = running.remove(running.size() - 1);
                preempt(victim, nowNanos);
                preempted = true;
                if (victim == seq) {
                    break;
                }
            }
            if (seq.state != SequenceState.RUNNING) {
                break;
            }
            plan.add(seq, n);
            budget -= n;
        }
        if (!preempted) {
            budget = admit(plan, budget);
        }
        if (plan.seqs.isEmpty()) {
            return null;
        }
        plan.durationNanos = config.profile().stepNanos(plan.scheduledTokens, plan.contextTokens)
                + plan.loraLoads * config.profile().loraLoadNanos();
        stats.steps++;
        current = plan;
        return plan;
    }

    private int admit(StepPlan plan, int budget) {
        Set<String> active = LoraSlots.inUse(running);
        Deque<Sequence> skipped = new ArrayDeque<>();
        while (!waiting.isEmpty() && running.size() < config.maxNumSeqs() && budget > 0) {
            Sequence seq = waiting.peekFirst();
            if (!loras.admits(seq.lora(), active)) {
                skipped.addLast(waiting.pollFirst());
                continue;
            }
            int hitTokens = kv.allocateForAdmission(seq);
            if (hitTokens < 0) {
                break;
            }
            waiting.pollFirst();
            stats.prefixQueryTokens += seq.promptLength();
            stats.prefixHitTokens += hitTokens;
            seq.computedTokens = Math.min(hitTokens, seq.totalTokens() - 1);
            seq.state = SequenceState.RUNNING;
            seq.admittedOrder = ++admissions;
            running.add(seq);
            listener.onAdmit(seq, plan.startNanos);
            if (seq.lora() != null) {
                active.add(seq.lora());
                if (loras.use(seq.lora(), active)) {
                    plan.loraLoads++;
                    stats.loraLoads++;
                }
            }
            int n = Math.min(seq.totalTokens() - seq.computedTokens, budget);
            plan.add(seq, n);
            budget -= n;
        }
        while (!skipped.isEmpty()) {
            waiting.addFirst(skipped.pollLast());
        }
        return budget;
    }

    private void preempt(Sequence seq, long nowNanos) {
        listener.onPreempt(seq, nowNanos);
        kv.free(seq);
        seq.computedTokens = 0;
        seq.state = SequenceState.WAITING;
        seq.preemptions++;
        waiting.addFirst(seq);
        stats.preemptions++;
    }

    /** Applies the step's results at its end time: tokens out, finished sequences freed. */
    public void finishStep(StepPlan plan) {
        if (plan != current) {
            throw new IllegalStateException("finishStep of a step that is not in flight");
        }
        current = null;
        long now = plan.endNanos();
        for (int i = 0; i < plan.seqs.size(); i++) {
            Sequence seq = plan.seqs.get(i);
            if (seq.state != SequenceState.RUNNING) {
                continue;
            }
            seq.computedTokens += plan.tokens.get(i);
            if (seq.computedTokens < seq.totalTokens()) {
                continue;
            }
            int index = seq.outputTokens++;
            stats.generationTokens++;
            if (index == 0) {
                stats.promptTokens += seq.promptLength();
                seq.firstTokenNanos = now;
            }
            listener.onToken(seq, index, now);
            if (seq.state != SequenceState.RUNNING) {
                continue;
            }
            if (seq.outputTokens >= seq.outputLimit() || seq.totalTokens() >= config.maxModelLen()) {
                finish(seq, seq.outputTokens >= seq.outputLimit() ? seq.limitReason() : FinishReason.LENGTH, now);
            }
        }
    }

    private void finish(Sequence seq, FinishReason reason, long now) {
        running.remove(seq);
        live.remove(seq.id());
        kv.free(seq);
        seq.state = SequenceState.FINISHED;
        seq.finishReason = reason;
        seq.finishNanos = now;
        if (reason == FinishReason.STOP) {
            stats.finishedStop++;
        } else {
            stats.finishedLength++;
        }
        listener.onFinish(seq, reason, now);
    }

    public EngineConfig config() { return config; }
    public EngineStats stats() { return stats; }
    public int numRunning() { return running.size(); }
    public int numWaiting() { return waiting.size(); }
    public int totalBlocks() { return kv.totalBlocks(); }
    public int freeBlocks() { return kv.freeBlocks(); }
    public double kvUsage() { return kv.usage(); }

    /** Adapters of running sequences, as vLLM's running_lora_adapters. */
    public Set<String> runningLoras() { return LoraSlots.inUse(running); }

    /** Adapters of waiting sequences, as vLLM's waiting_lora_adapters. */
    public Set<String> waitingLoras() { return LoraSlots.inUse(waiting); }

    /** Running sequences in admission order (oldest first); a copy. */
    public List<Sequence> running() { return new ArrayList<>(running); }

    /** Waiting sequences, head first; a copy. */
    public List<Sequence> waiting() { return new ArrayList<>(waiting); }

    /**
     * Checks block accounting: every block's reference count equals the number of live
     * sequences holding it, and referenced blocks never exceed capacity. Throws when broken.
     */
    public void checkInvariants() {
        kv.pool().checkInvariants();
        Map<Integer, Integer> refs = new HashMap<>();
        Set<Sequence> holders = new HashSet<>(running);
        for (Sequence w : waiting) {
            if (!w.blocks.isEmpty()) {
                throw new IllegalStateException("waiting sequence holds blocks: " + w);
            }
        }
        int used = 0;
        for (Sequence s : holders) {
            for (Block b : s.blocks) {
                refs.merge(b.id, 1, Integer::sum);
            }
        }
        for (int id = 0; id < kv.totalBlocks(); id++) {
            int expected = refs.getOrDefault(id, 0);
            if (kv.pool().refCount(id) != expected) {
                throw new IllegalStateException("block " + id + " refcount " + kv.pool().refCount(id)
                        + " but held by " + expected);
            }
            if (expected > 0) {
                used++;
            }
        }
        if (used + kv.freeBlocks() != kv.totalBlocks()) {
            throw new IllegalStateException("used " + used + " + free " + kv.freeBlocks()
                    + " != total " + kv.totalBlocks());
        }
    }
}
