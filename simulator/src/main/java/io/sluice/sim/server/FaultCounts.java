package io.sluice.sim.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Faults one engine has injected, by kind; read from any thread. */
public final class FaultCounts {
    final AtomicLong errors = new AtomicLong();
    final AtomicLong stalls = new AtomicLong();
    final AtomicLong drops = new AtomicLong();
    final AtomicLong refused = new AtomicLong();

    /** Counts by kind: engine 5xx, stall, drop mid-stream, refused connection. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("engine 5xx", errors.get());
        out.put("engine stall", stalls.get());
        out.put("engine drop mid-stream", drops.get());
        out.put("connection refused", refused.get());
        return out;
    }
}
