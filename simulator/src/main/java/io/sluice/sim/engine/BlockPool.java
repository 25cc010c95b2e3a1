package io.sluice.sim.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * A fixed set of KV blocks with vLLM's free-queue discipline: blocks nobody references sit in
 * one queue in eviction order (least recently freed first) and keep their cached hash until
 * they are handed out again, so a later prompt with the same prefix can take them back.
 */
final class BlockPool {
    private final Block[] blocks;
    /* The free queue is intrusive (links in Block): the offline simulator allocates and frees
     * millions of blocks, and a LinkedHashSet cost a hash operation on each. */
    private Block head;
    private Block tail;
    private int free;
    private final Map<Long, Block> cached = new HashMap<>();

    BlockPool(int numBlocks) {
        if (numBlocks <= 0) {
            throw new IllegalArgumentException("numBlocks must be positive: " + numBlocks);
        }
        blocks = new Block[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            blocks[i] = new Block(i);
            enqueue(blocks[i]);
        }
    }

    int totalBlocks() {
        return blocks.length;
    }

    /** Blocks with no reference, cached or not: what vLLM reports as free. */
    int freeBlocks() {
        return free;
    }

    /** The cached block holding exactly this chained hash, or null. */
    Block lookup(long hash) {
        return cached.get(hash);
    }

    /** Takes one more reference on a block (a prefix-cache hit or a shared block). */
    void touch(Block block) {
        if (block.refCount == 0) {
            unlink(block);
        }
        block.refCount++;
    }

    /** Hands out the least recently freed block, evicting its cached hash; null when none. */
    Block allocate() {
        Block block = head;
        if (block == null) {
            return null;
        }
        unlink(block);
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
            enqueue(block);
        }
    }

    private void enqueue(Block block) {
        block.prev = tail;
        block.next = null;
        if (tail == null) {
            head = block;
        } else {
            tail.next = block;
        }
        tail = block;
        block.queued = true;
        free++;
    }

    private void unlink(Block block) {
        if (block.prev == null) {
            head = block.next;
        } else {
            block.prev.next = block.next;
        }
        if (block.next == null) {
            tail = block.prev;
        } else {
            block.next.prev = block.prev;
        }
        block.prev = null;
        block.next = null;
        block.queued = false;
        free--;
    }

    /** Checks the pool's own invariants; used by tests after every operation. */
    void checkInvariants() {
        int unreferenced = 0;
        int linked = 0;
        for (Block b = head; b != null; b = b.next) {
            if (!b.queued || ++linked > blocks.length) {
                throw new IllegalStateException("free queue is corrupt at " + b);
            }
        }
        for (Block b : blocks) {
            if (b.refCount < 0) {
                throw new IllegalStateException("negative refcount " + b);
            }
            if ((b.refCount == 0) != b.queued) {
                throw new IllegalStateException("free queue disagrees with refcount " + b);
            }
            if (b.refCount == 0) {
                unreferenced++;
            }
            if (b.hash != Block.NO_HASH && cached.get(b.hash) != b) {
                throw new IllegalStateException("hash index disagrees with block " + b);
            }
        }
        if (unreferenced != free || linked != free) {
            throw new IllegalStateException("free queue holds " + linked + " (count " + free + "), expected "
                    + unreferenced);
        }
    }

    int refCount(int blockId) {
        return blocks[blockId].refCount;
    }
}
