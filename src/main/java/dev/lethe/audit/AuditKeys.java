package dev.lethe.audit;

import dev.lethe.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The accounts' audit keys: 256 random bits each, stored wrapped by the master key (bound to the
 * account, so a wrapped key moved to another account no longer opens), cached unwrapped. An audit
 * key never rotates: every entry ever chained must stay verifiable. Re-wrapping it under a new
 * master key leaves it unchanged.
 */
public final class AuditKeys {

    private final Jdbi jdbi;
    private final AuditStore store;
    private final MasterKey master;
    private final SecureRandom random;
    private final Clock clock;
    private final ConcurrentHashMap<String, AuditKey> unwrapped = new ConcurrentHashMap<>();

    public AuditKeys(Jdbi jdbi, AuditStore store, MasterKey master, SecureRandom random, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.master = master;
        this.random = random;
        this.clock = clock;
    }

    /** Makes a new account's key in the transaction that creates the account. */
    void create(Handle h, String accountId) {
        byte[] material = new byte[32];
        random.nextBytes(material);
        store.insertKey(h, accountId, master.wrap(material, context(accountId)), clock.instant());
    }

    /**
     * The key to seal and chain with; made on first use for an account that has none yet (the
     * platform, and accounts made before audit keys), in a transaction of its own: the first
     * instance to store one wins.
     */
    AuditKey forWriting(Handle h, String accountId) {
        var cached = unwrapped.get(accountId);
        if (cached != null) return cached;
        return stored(h, accountId).orElseGet(() -> {
            try {
                jdbi.useTransaction(apart -> create(apart, accountId));
            } catch (RuntimeException raced) {
                // another instance stored one at the same moment: use that one
            }
            return stored(h, accountId)
                    .orElseThrow(() -> new IllegalStateException("cannot store an audit key for " + accountId));
        });
    }

    /** The key to check a chain with; empty when the account has none (nothing is ever made here). */
    Optional<AuditKey> forChecking(Handle h, String accountId) {
        var cached = unwrapped.get(accountId);
        return cached != null ? Optional.of(cached) : stored(h, accountId);
    }

    private Optional<AuditKey> stored(Handle h, String accountId) {
        return store.key(h, accountId).map(wrapped -> {
            var key = new AuditKey(master.unwrap(wrapped, context(accountId)));
            unwrapped.put(accountId, key);
            return key;
        });
    }

    private static byte[] context(String accountId) {
        return ("lethe/audit-key/v1|" + accountId).getBytes(StandardCharsets.UTF_8);
    }
}
