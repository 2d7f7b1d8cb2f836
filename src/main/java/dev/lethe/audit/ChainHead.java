package dev.lethe.audit;

/** The last entry of a chain. Whoever keeps an earlier head can tell a truncated tail. */
public record ChainHead(long seq, String hash) {

    static final ChainHead GENESIS = new ChainHead(0, "0".repeat(64));
}
