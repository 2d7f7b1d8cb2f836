package dev.lethe.crypto;

/**
 * A key names an epoch whose account key was destroyed. Re-wrapping moves every live key off an
 * epoch before it is destroyed, so this means a key was missed: a bug, not a normal state.
 */
public final class EpochDestroyed extends RuntimeException {

    public EpochDestroyed(String accountId, int epoch) {
        super("epoch " + epoch + " of account " + accountId + " was destroyed while a key still named it");
    }
}
