package dev.lethe.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.prf.PrfSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * An account's two keys under the master key. The data key wraps subject and hold keys and has
 * epochs: each epoch's key is cached on its own, and a subject key is opened with the epoch it
 * names, so a new epoch never stops an older key from opening. The index key makes blind indexes
 * and never rotates.
 */
final class AccountKeys {

    static final String DATA = "data";
    static final String INDEX = "index";

    /**
     * The index key's one epoch, for ever. Every identifier lookup and every suppression-list
     * entry is a blind index under this key: a new index key would make none of them match again
     * (erased people would come back, known people would be made anew). Rotating it would mean
     * recomputing every index from plaintext that, for erased people, no longer exists.
     */
    static final int INDEX_EPOCH = 1;

    private record Epoch(String accountId, int epoch) {}

    private final Jdbi jdbi;
    private final KeyStore store;
    private final MasterKey master;
    private final Cache<Epoch, Aead> dataKeys;
    private final Cache<String, Integer> newestEpochs;
    private final Cache<String, PrfSet> indexKeys;

    AccountKeys(
            Jdbi jdbi, KeyStore store, MasterKey master, Duration cacheLifetime, Duration epochRefresh, Ticker ticker) {
        this.jdbi = jdbi;
        this.store = store;
        this.master = master;
        this.dataKeys = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(cacheLifetime)
                .ticker(ticker)
                .build();
        this.newestEpochs = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(epochRefresh)
                .ticker(ticker)
                .build();
        this.indexKeys = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(cacheLifetime)
                .ticker(ticker)
                .build();
    }

    /**
     * The data key of one epoch, read in the caller's transaction; {@link EpochDestroyed} when
     * that epoch's key is gone.
     */
    Aead data(Handle h, String accountId, int epoch) {
        var ref = new Epoch(accountId, epoch);
        Aead cached = dataKeys.getIfPresent(ref);
        if (cached != null) return cached;
        byte[] wrapped =
                store.accountKey(h, accountId, DATA, epoch).orElseThrow(() -> new EpochDestroyed(accountId, epoch));
        Aead key = Tink.aead(master.unwrap(wrapped, context(accountId, DATA, epoch)));
        whenCommitted(h, () -> dataKeys.put(ref, key));
        return key;
    }

    /**
     * The epoch new keys are wrapped under: the newest, as this instance last read it (another
     * instance's new epoch is read within the epoch refresh interval). An account's first data
     * key is made here, in the caller's transaction.
     */
    int newestEpoch(Handle h, String accountId) {
        Integer cached = newestEpochs.getIfPresent(accountId);
        if (cached != null) return cached;
        var newest = store.newestEpoch(h, accountId, DATA);
        if (newest.isEmpty()) {
            create(h, accountId, DATA, 1);
            newest = store.newestEpoch(h, accountId, DATA);
        }
        int epoch = newest.orElseThrow();
        whenCommitted(h, () -> newestEpochs.put(accountId, epoch));
        return epoch;
    }

    /** Makes the next epoch's data key and uses it here at once; returns its number. */
    int createEpoch(String accountId) {
        return jdbi.inTransaction(h -> {
            int next = store.newestEpoch(h, accountId, DATA).orElse(0) + 1;
            create(h, accountId, DATA, next);
            int newest = store.newestEpoch(h, accountId, DATA).orElseThrow();
            whenCommitted(h, () -> newestEpochs.put(accountId, newest));
            return newest;
        });
    }

    /** Forgets a destroyed epoch's key on this instance. */
    void forget(String accountId, int epoch) {
        dataKeys.invalidate(new Epoch(accountId, epoch));
        newestEpochs.invalidate(accountId);
    }

    /**
     * The blind-index key: made on first use, in the transaction of the caller if there is one,
     * and never rotated (see {@link #INDEX_EPOCH}).
     */
    PrfSet index(String accountId) {
        PrfSet cached = indexKeys.getIfPresent(accountId);
        if (cached != null) return cached;
        return jdbi.withHandle(h -> {
            var wrapped = store.accountKey(h, accountId, INDEX, INDEX_EPOCH);
            if (wrapped.isEmpty()) {
                create(h, accountId, INDEX, INDEX_EPOCH);
                wrapped = store.accountKey(h, accountId, INDEX, INDEX_EPOCH);
            }
            PrfSet key = Tink.prf(master.unwrap(wrapped.orElseThrow(), context(accountId, INDEX, INDEX_EPOCH)));
            whenCommitted(h, () -> indexKeys.put(accountId, key));
            return key;
        });
    }

    /** Unwraps one stored data key, if there is one: {@link CryptoFailure} under a wrong master key. */
    void checkMasterKey() {
        jdbi.withHandle(store::anyAccountDataKey)
                .ifPresent(k -> master.unwrap(k.wrapped(), context(k.accountId(), DATA, k.epoch())));
    }

    /**
     * Caches only what is committed. A key read inside a transaction may be one this very
     * transaction made; if it rolled back, a cached copy would wrap keys under a key nobody
     * stored, and another instance would make a different one for the same epoch.
     */
    private static void whenCommitted(Handle h, Runnable cache) {
        if (h.isInTransaction()) h.afterCommit(cache);
        else cache.run();
    }

    /**
     * Stores a new account key in the caller's transaction. When another transaction stores the
     * same epoch at the same moment, the insert waits for it and, if it commits, keeps its key.
     */
    private void create(Handle h, String accountId, String purpose, int epoch) {
        byte[] fresh = DATA.equals(purpose) ? Tink.newAeadKeyset() : Tink.newPrfKeyset();
        store.insertAccountKey(h, accountId, purpose, epoch, master.wrap(fresh, context(accountId, purpose, epoch)));
    }

    /**
     * What an account key is bound to. The index key keeps its first form (it never changes); a
     * data key is bound to its epoch too, so one epoch's key cannot pass for another's.
     */
    private static byte[] context(String accountId, String purpose, int epoch) {
        String text = INDEX.equals(purpose)
                ? "lethe/account-key/v1|" + accountId + "|" + purpose
                : "lethe/account-key/v2|" + accountId + "|" + purpose + "|" + epoch;
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
