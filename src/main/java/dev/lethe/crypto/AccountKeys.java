package dev.lethe.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.prf.PrfSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    /** The data key of one epoch; {@link EpochDestroyed} when that epoch's key is gone. */
    Aead data(String accountId, int epoch) {
        return dataKeys.get(new Epoch(accountId, epoch), e -> {
            byte[] wrapped = jdbi.withHandle(h -> store.accountKey(h, accountId, DATA, epoch))
                    .orElseThrow(() -> new EpochDestroyed(accountId, epoch));
            return Tink.aead(master.unwrap(wrapped, context(accountId, DATA, epoch)));
        });
    }

    /**
     * The epoch new keys are wrapped under: the newest, as this instance last read it. Another
     * instance's new epoch is read here within the epoch refresh interval.
     */
    int newestEpoch(String accountId) {
        return newestEpochs.get(accountId, id -> {
            var newest = jdbi.withHandle(h -> store.newestEpoch(h, id, DATA));
            if (newest.isPresent()) return newest.getAsInt();
            create(id, DATA, 1);
            return jdbi.withHandle(h -> store.newestEpoch(h, id, DATA)).orElseThrow();
        });
    }

    /** Makes the next epoch's data key and uses it here at once; returns its number. */
    int createEpoch(String accountId) {
        int next = jdbi.withHandle(h -> store.newestEpoch(h, accountId, DATA)).orElse(0) + 1;
        create(accountId, DATA, next);
        newestEpochs.invalidate(accountId);
        return newestEpoch(accountId);
    }

    /** Forgets a destroyed epoch's key on this instance. */
    void forget(String accountId, int epoch) {
        dataKeys.invalidate(new Epoch(accountId, epoch));
        newestEpochs.invalidate(accountId);
    }

    /** The blind-index key: made on first use, never rotated (see {@link #INDEX_EPOCH}). */
    PrfSet index(String accountId) {
        return indexKeys.get(accountId, id -> {
            var wrapped = jdbi.withHandle(h -> store.accountKey(h, id, INDEX, INDEX_EPOCH));
            if (wrapped.isEmpty()) {
                create(id, INDEX, INDEX_EPOCH);
                wrapped = jdbi.withHandle(h -> store.accountKey(h, id, INDEX, INDEX_EPOCH));
            }
            return Tink.prf(master.unwrap(wrapped.orElseThrow(), context(id, INDEX, INDEX_EPOCH)));
        });
    }

    /** Checks that the master key opens a stored data key; false when there is none yet. */
    boolean masterKeyOpensAnAccountKey() {
        var key = jdbi.withHandle(store::anyAccountDataKey);
        key.ifPresent(k -> master.unwrap(k.wrapped(), context(k.accountId(), DATA, k.epoch())));
        return key.isPresent();
    }

    /** Stores a new account key; when another instance stored that epoch first, theirs stands. */
    private void create(String accountId, String purpose, int epoch) {
        byte[] fresh = DATA.equals(purpose) ? Tink.newAeadKeyset() : Tink.newPrfKeyset();
        byte[] wrapped = master.wrap(fresh, context(accountId, purpose, epoch));
        try {
            jdbi.useTransaction(h -> store.insertAccountKey(h, accountId, purpose, epoch, wrapped));
        } catch (RuntimeException raced) {
            // another instance stored this epoch at the same moment: the caller reads that one
        }
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
