package io.sluice.sim.engine;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * LoRA adapters resident on the GPU: at most {@code maxLoras} distinct adapters may serve one
 * batch, and an adapter that is not resident costs a load. Resident adapters are kept in LRU
 * order and the least recently used one not in the batch makes room for a new one.
 */
final class LoraSlots {
    private final int maxLoras;
    private final LinkedHashSet<String> resident = new LinkedHashSet<>();

    LoraSlots(int maxLoras) {
        this.maxLoras = maxLoras;
    }

    int maxLoras() {
        return maxLoras;
    }

    /** Adapters used by these sequences. */
    static Set<String> inUse(Collection<Sequence> seqs) {
        Set<String> names = new HashSet<>();
        for (Sequence s : seqs) {
            if (s.lora() != null) {
                names.add(s.lora());
            }
        }
        return names;
    }

    /** Whether a sequence with adapter {@code lora} may join a batch already using {@code active}. */
    boolean admits(String lora, Set<String> active) {
        return lora == null || active.contains(lora) || active.size() < maxLoras;
    }

    /**
     * Makes {@code lora} resident and most recently used; true when that needed a load.
     * Evicts the least recently used resident adapter outside {@code active} when full.
     */
    boolean use(String lora, Set<String> active) {
        if (resident.remove(lora)) {
            resident.add(lora);
            return false;
        }
        if (resident.size() >= maxLoras) {
            for (String r : resident) {
                if (!active.contains(r)) {
                    resident.remove(r);
                    break;
                }
            }
        }
        resident.add(lora);
        return true;
    }
}
