package io.sluice.sim.engine;

/** One KV-cache block: a fixed number of token slots, shared by reference count. */
final class Block {
    static final long NO_HASH = 0L;

    final int id;
    int refCount;
    /** Chained content hash once the block is full and cached; {@link #NO_HASH} otherwise. */
    long hash = NO_HASH;
    /** Neighbours in the pool's free queue while unreferenced; null otherwise. */
    Block prev;
    Block next;
    boolean queued;

    Block(int id) {
        this.id = id;
    }

    @Override
    public String toString() {
        return "Block[" + id + ", ref=" + refCount + "]";
    }
}
