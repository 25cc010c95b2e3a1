package io.sluice.sim.engine;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * A fixed set of KV blocks with vLLM's free-queue discipline: blocks nobody references sit in
 * one queue in eviction order (least recently freed first) and keep their cached hash until
 * they are handed out again, so a later prompt with the same prefix can take them back.
 */
final class BlockPool {
    private final Block[] blocks;
    private final LinkedHashSet<Block> freeQueue = new LinkedHashSet<>();
    private final Map<Long, Block> cached = new HashMap<>();

    BlockPool(int numBlocks) {
        if (numBlocks <= 0) {
            throw new IllegalArgumentException("numBlocks must be positive: " + numBlocks);
        }
        blocks = new Block[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            blocks[i] = new Block(i);
            freeQueue.add(blocks[i]);
        }
    }

    int totalBlocks() {
        return blocks.length;
    }

    /** Blocks with no reference, cached or not: what vLLM reports as free. */
    int freeBlocks() {
        return freeQueue.size();
    }

    /** The cached block holding exactly this chained hash, or null. */
    Block lookup(long hash) {
        return cached.get(hash);
    }

    /** Takes one more reference on a block (a prefix-cache hit or a shared block). */
    void touch(Block block) {
        if (block.refCount == 0) {
            freeQueue.remove(block);
        }
        block.refCount++;
    }

    /** Hands out the least recently freed block, evicting its cached hash; null when none. */
    Block allocate() {
        Iterator<Block> it = freeQueue.iterator();
        if (!it.hasNext()) {
            return null;
        }
        Block block = it.next();
        it.remove();
        if (block.hash != Block.NO_HASH) {
            cached.remove(block.hash, block);
            block.hash = Block.NO_HASH;
        }
        block.refCount = 1;
        return block;
    }

    /** Marks a full block as cached under its chained hash unless an equal block already is. */
    void cache(Block block, long hash) {
        if (block.hash == Block.NO_HASH && !cached.containsKey(hash)) {
            block.hash = hash;
            cached.put(hash, block);
        }
    }

    /** Drops one reference; an unreferenced block joins the tail of the free queue. */
    void release(Block block) {
        if (block.refCount <= 0) {
            throw new IllegalStateException("release of a free block " + block);
        }
        if (--block.refCount == 0) {
            freeQueue.add(block);
        }
    }

    /** Checks the pool's own invariants; used by tests after every operation. */
    void checkInvariants() {
        int free = 0;
        for (Block b : blocks) {
            if (b.refCount < 0) {
                throw new IllegalStateException("negative refcount " + b);
            }
            if ((b.refCount == 0) != freeQueue.contains(b)) {
                throw new IllegalStateException("free queue disagrees with refcount " + b);
            }
            if (b.refCount == 0) {
                free++;
            }
            if (b.hash != Block.NO_HASH && cached.get(b.hash) != b) {
                throw new IllegalStateException("hash index disagrees with block " + b);
            }
        }
        if (free != freeQueue.size()) {
            throw new IllegalStateException("free queue holds " + freeQueue.size() + ", expected " + free);
        }
    }

    int refCount(int blockId) {
        return blocks[blockId].refCount;
    }
}
