package dev.lethe.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.crypto.tink.Aead;
import dev.lethe.crypto.KeyStore.NewSubjectKey;
import dev.lethe.crypto.KeyStore.StoredKey;
import dev.lethe.storage.Ids;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The key hierarchy (promise 3, docs/keys.md): the master key wraps each account's keys; an
 * account's data key of one epoch wraps each subject key; a subject key derives one key per
 * category, and every personal value is sealed under its category's key with the account, the key
 * id, the category and the value id bound as associated data, so a ciphertext moved to another
 * row, key, category or account no longer opens. Each value row names the key that sealed it: a
 * merge hands keys to the surviving subject instead of re-sealing, and a legal hold keeps a
 * category's key after the subject's keys are destroyed. Exact lookups use a keyed PRF of the
 * account (a blind index), never the value itself.
 *
 * <p>Unwrapped keys and derived category keys are cached, because unwrapping and deriving cost
 * more than the encryption they enable. {@link #shred} evicts the subject's keys here at once
 * (again after its commit); another server instance may keep its cached copy for at most
 * {@link #CACHE_LIFETIME}.
 */
public final class Keyring {

    /** From how many keys or values at once unwrapping and opening use every core. */
    public static final int PARALLEL_FROM = 200;

    /** How long an unwrapped key stays in memory without being reloaded. */
    public static final Duration CACHE_LIFETIME = Duration.ofMinutes(5);

    /**
     * How long another instance may go on wrapping new keys under the previous epoch after a new
     * one is made: the bound {@link KeyRotation#destroyEpoch} waits out.
     */
    public static final Duration NEW_EPOCH_ADOPTED_WITHIN = Duration.ofMinutes(1);

    /** A value sealed under the key {@code keyId} names; to be stored beside it. */
    public record Sealed(String keyId, byte[] ciphertext) {}

    private record SubjectRef(String accountId, String subjectId) {}

    private record KeyRef(String accountId, String keyId) {}

    private final KeyStore store;
    private final AccountKeys accounts;
    private final Holds holds;
    private final Ids ids;
    private final Cache<SubjectRef, String> sealingKeyIds;
    private final Cache<KeyRef, SubjectKey> subjectKeys;

    public Keyring(Jdbi jdbi, KeyStore store, MasterKey master, Ids ids) {
        this(jdbi, store, master, ids, Ticker.systemTicker());
    }

    /** With the caches' clock given, so tests can let cached keys expire. */
    Keyring(Jdbi jdbi, KeyStore store, MasterKey master, Ids ids, Ticker ticker) {
        this.store = store;
        this.accounts = new AccountKeys(jdbi, store, master, CACHE_LIFETIME, NEW_EPOCH_ADOPTED_WITHIN, ticker);
        this.holds = new Holds(store, accounts);
        this.ids = ids;
        this.sealingKeyIds = Caffeine.newBuilder()
                .maximumSize(200_000)
                .expireAfterWrite(CACHE_LIFETIME)
                .ticker(ticker)
                .build();
        this.subjectKeys = Caffeine.newBuilder()
                .maximumSize(200_000)
                .expireAfterWrite(CACHE_LIFETIME)
                .ticker(ticker)
                .build();
    }

    /**
     * Checks at start that the master key opens this database's account keys, so a wrong key
     * stops start-up with a clear message instead of failing every later read.
     */
    public void checkMasterKey() {
        try {
            accounts.checkMasterKey();
        } catch (CryptoFailure e) {
            throw new IllegalStateException(
                    "the master key (--master-key / LETHE_MASTER_KEY, or master-key.json in the data directory)"
                            + " does not open this database's account keys: it is not the key this database was"
                            + " made with",
                    e);
        }
    }

    /** Makes the key of a new subject, in the caller's transaction. */
    public void createSubjectKey(Handle h, String accountId, String subjectId) {
        createSubjectKeys(h, accountId, List.of(subjectId));
    }

    /**
     * Makes the keys of many new subjects, in the caller's transaction, in one batch, wrapped under
     * the account's newest epoch.
     */
    public void createSubjectKeys(Handle h, String accountId, List<String> subjectIds) {
        if (subjectIds.isEmpty()) return;
        int epoch = accounts.newestEpoch(h, accountId);
        Aead wrapping = accounts.data(h, accountId, epoch);
        var keys = new ArrayList<NewSubjectKey>(subjectIds.size());
        for (String subjectId : subjectIds) {
            String keyId = ids.next();
            var handle = Tink.newHkdfKeysetHandle();
            byte[] keyset = Tink.serialised(handle);
            keys.add(new NewSubjectKey(
                    keyId, subjectId, epoch, Crypt.encrypt(wrapping, keyset, subjectKeyContext(accountId, keyId))));
            subjectKeys.put(new KeyRef(accountId, keyId), new SubjectKey(keyId, Tink.prf(handle)));
            sealingKeyIds.put(new SubjectRef(accountId, subjectId), keyId);
        }
        // cached at once, so the batch that makes the keys seals with them; forgotten if the
        // transaction does not commit (a retried one makes keys of other ids)
        h.afterRollback(() -> {
            for (var key : keys) {
                subjectKeys.invalidate(new KeyRef(accountId, key.keyId()));
                sealingKeyIds.invalidate(new SubjectRef(accountId, key.subjectId()));
            }
        });
        store.insertSubjectKeys(h, accountId, keys);
    }

    /**
     * Seals one personal value under its subject's key for its category; the returned key id is
     * stored with the value, which {@link #open} needs again.
     */
    public Sealed seal(
            Handle h, String accountId, String subjectId, String category, String valueId, byte[] plaintext) {
        SubjectKey key = sealingKey(h, accountId, subjectId);
        byte[] ciphertext = Crypt.encrypt(
                key.category(category), plaintext, valueContext(accountId, key.keyId(), category, valueId));
        return new Sealed(key.keyId(), ciphertext);
    }

    /**
     * Opens a value sealed by {@link #seal} under the key its row names; {@link
     * SubjectKeyDestroyed} when that key is gone and no hold keeps the category.
     */
    public byte[] open(Handle h, String accountId, String keyId, String category, String valueId, byte[] ciphertext) {
        SubjectKey key = subjectKeys.get(new KeyRef(accountId, keyId), ref -> loadKey(h, ref));
        Aead aead = key != null
                ? key.category(category)
                : holds.open(h, accountId, keyId, category)
                        .orElseThrow(() -> new SubjectKeyDestroyed(accountId, keyId));
        try {
            return aead.decrypt(ciphertext, valueContext(accountId, keyId, category, valueId));
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("a value does not open under key " + keyId + " and its context", e);
        }
    }

    /**
     * Loads the subject keys among these that are not cached yet in one query per thousand, so a
     * page of values from many subjects opens without a query per subject. Destroyed keys are
     * missing and stay uncached ({@link #open} then finds them gone, as before).
     */
    public void preload(Handle h, String accountId, Collection<String> keyIds) {
        var missing = new ArrayList<String>();
        for (String keyId : new HashSet<>(keyIds))
            if (subjectKeys.getIfPresent(new KeyRef(accountId, keyId)) == null) missing.add(keyId);
        for (int i = 0; i < missing.size(); i += 1000) {
            var stored = store.subjectKeys(h, accountId, missing.subList(i, Math.min(missing.size(), i + 1000)));
            // the wrapping keys read here, on the caller's handle; the unwrapping (pure CPU) spread
            // over the cores when there are many (a server just started, exporting)
            var wrapping = new HashMap<Integer, Aead>();
            for (StoredKey k : stored) wrapping.computeIfAbsent(k.epoch(), e -> accounts.data(h, accountId, e));
            (stored.size() >= PARALLEL_FROM ? stored.parallelStream() : stored.stream())
                    .forEach(k -> subjectKeys.put(
                            new KeyRef(accountId, k.id()), unwrap(wrapping.get(k.epoch()), accountId, k)));
        }
    }

    /**
     * Opens a value as {@link #open} does, only if its key is in memory (loaded by {@link
     * #preload}): null otherwise, and then the caller opens it with {@link #open}, which may read
     * the database. Needs no handle, so many values open at once on several threads.
     */
    public byte[] openCached(String accountId, String keyId, String category, String valueId, byte[] ciphertext) {
        SubjectKey key = subjectKeys.getIfPresent(new KeyRef(accountId, keyId));
        if (key == null) return null;
        try {
            return key.category(category).decrypt(ciphertext, valueContext(accountId, keyId, category, valueId));
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("a value does not open under key " + keyId + " and its context", e);
        }
    }

    /**
     * A merge: every key of {@code fromSubject} now belongs to {@code toSubject}, which opens the
     * values they sealed without re-sealing them (its own key keeps sealing its new values).
     * Returns how many keys changed hands; {@link SubjectKeyDestroyed} when keys would go to a
     * subject that was shredded.
     */
    public int moveKeys(Handle h, String accountId, String fromSubject, String toSubject) {
        sealingKeyIds.invalidate(new SubjectRef(accountId, fromSubject));
        int moved = store.moveKeys(h, accountId, fromSubject, toSubject);
        // A shredded subject takes no values: its data was erased.
        if (moved > 0 && store.sealingKey(h, accountId, toSubject).isEmpty()) {
            throw new SubjectKeyDestroyed(accountId, toSubject);
        }
        return moved;
    }

    /**
     * The subjects among these whose key is destroyed, read from the database rather than the
     * cache (another instance may have shredded one). Called with the subjects' rows locked, so
     * the answer holds until the caller's transaction ends: keys are destroyed only by writers
     * that hold the subject's lock (docs/locks.md).
     */
    public Set<String> destroyed(Handle h, String accountId, Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return Set.of();
        var live = store.subjectsWithKeys(h, accountId, subjectIds);
        var gone = new HashSet<String>();
        for (String subject : subjectIds) {
            if (!live.contains(subject)) {
                gone.add(subject);
                sealingKeyIds.invalidate(new SubjectRef(accountId, subject));
            }
        }
        return gone;
    }

    /**
     * Crypto-shredding: destroys every key the subject owns, so every copy of every value sealed
     * under them — in tables, logs of the database, backups — is unreadable at once.
     */
    public boolean shred(Handle h, String accountId, String subjectId) {
        return shred(h, accountId, subjectId, Map.of());
    }

    /**
     * Crypto-shredding with categories kept: in the same transaction, each category in {@code
     * holdByCategory} (category → hold id) has its key, of every key the subject owns, wrapped
     * under that hold's key first. Values of held categories keep opening until {@link
     * #releaseHold}; all others are unreadable. No value is decrypted or rewritten. Returns
     * whether a key was destroyed.
     */
    public boolean shred(Handle h, String accountId, String subjectId, Map<String, String> holdByCategory) {
        keep(h, accountId, subjectId, holdByCategory);
        List<StoredKey> owned = store.keysOf(h, accountId, subjectId);
        Runnable evict = () -> {
            sealingKeyIds.invalidate(new SubjectRef(accountId, subjectId));
            owned.forEach(k -> subjectKeys.invalidate(new KeyRef(accountId, k.id())));
        };
        evict.run();
        int destroyed = store.deleteKeysOf(h, accountId, subjectId);
        evict.run();
        // A read on this instance between the delete and the commit still saw the key and may
        // have cached it again.
        h.afterCommit(evict);
        return destroyed > 0;
    }

    /**
     * {@link #shred(Handle, String, String)} for many subjects with nothing kept (a bulk deletion's
     * batch): every key they own destroyed in one statement. Returns those that had a key.
     */
    public Set<String> shredAll(Handle h, String accountId, Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return Set.of();
        var owned = store.keyIdsOf(h, accountId, subjectIds);
        Runnable evict = () -> {
            for (String subjectId : subjectIds) sealingKeyIds.invalidate(new SubjectRef(accountId, subjectId));
            owned.values().forEach(keys -> keys.forEach(k -> subjectKeys.invalidate(new KeyRef(accountId, k))));
        };
        evict.run();
        store.deleteKeysOf(h, accountId, subjectIds);
        evict.run();
        // A read on this instance between the delete and the commit still saw the key and may
        // have cached it again.
        h.afterCommit(evict);
        return owned.keySet();
    }

    /**
     * Keeps categories of a subject past the destruction of its keys, which must follow in the
     * same transaction: each category in {@code holdByCategory} (category → hold id) has its key,
     * of every key the subject owns, wrapped under that hold's key. A category may be kept by
     * several holds (a legal hold and a rule {@code after: erased}): it opens while any stands.
     */
    public void keep(Handle h, String accountId, String subjectId, Map<String, String> holdByCategory) {
        if (holdByCategory.isEmpty()) return;
        var keys = store.keysOf(h, accountId, subjectId).stream()
                .map(k -> unwrap(h, accountId, k))
                .toList();
        holds.keep(h, accountId, keys, holdByCategory);
    }

    /**
     * Seals a value that belongs to the account rather than to a person (mail to someone Lethe has
     * no subject for) under the account's key for {@code purpose}; the returned key id is stored
     * with it. That key is wrapped by the account data key and re-wrapped with every epoch.
     */
    public Sealed sealForAccount(Handle h, String accountId, String purpose, String valueId, byte[] plaintext) {
        Aead key = holds.accountKey(h, accountId, purpose);
        String keyId = Holds.accountKeyId(accountId, purpose);
        return new Sealed(
                keyId, Crypt.encrypt(key, plaintext, accountValueContext(accountId, keyId, purpose, valueId)));
    }

    /** Makes the account's key for {@code purpose} now if it does not exist (a job's, at its creation). */
    public void createAccountKey(Handle h, String accountId, String purpose) {
        holds.accountKey(h, accountId, purpose);
    }

    /**
     * Seals as {@link #sealForAccount} does, under the account's key for {@code purpose} only if
     * that key exists: {@link CryptoFailure} once it was destroyed (a key destroyed on purpose is
     * never silently made again).
     */
    public Sealed sealUnderExistingAccountKey(
            Handle h, String accountId, String purpose, String valueId, byte[] plaintext) {
        String keyId = Holds.accountKeyId(accountId, purpose);
        Aead key = holds.existingAccountKey(h, accountId, keyId)
                .orElseThrow(() -> new CryptoFailure("the account key " + keyId + " does not exist", null));
        return new Sealed(
                keyId, Crypt.encrypt(key, plaintext, accountValueContext(accountId, keyId, purpose, valueId)));
    }

    /** Opens a value sealed by {@link #sealForAccount}; {@link CryptoFailure} if it does not open. */
    public byte[] openForAccount(
            Handle h, String accountId, String keyId, String purpose, String valueId, byte[] ciphertext) {
        Aead key = holds.existingAccountKey(h, accountId, keyId)
                .orElseThrow(() -> new CryptoFailure("the account key " + keyId + " does not exist", null));
        return Crypt.decrypt(key, ciphertext, accountValueContext(accountId, keyId, purpose, valueId));
    }

    /**
     * Destroys the account's key for {@code purpose} (a job's files, say): what {@link
     * #sealForAccount} sealed under it no longer opens, on any server (the key's row is gone; a
     * key cached in memory is not used without it).
     */
    public void destroyAccountKey(Handle h, String accountId, String purpose) {
        holds.release(h, accountId, Holds.accountKeyId(accountId, purpose));
    }

    /** The id of the account's key for {@code purpose}, as {@link #sealForAccount} returns it. */
    public String accountKeyId(String accountId, String purpose) {
        return Holds.accountKeyId(accountId, purpose);
    }

    /** Ends a hold: destroys its key and the category keys under it. Returns how many. */
    public int releaseHold(Handle h, String accountId, String holdId) {
        return holds.release(h, accountId, holdId);
    }

    /**
     * The account's keyed PRF of an identifier: equal inputs give equal indexes, and nothing else.
     * Its key never rotates ({@link AccountKeys#INDEX_EPOCH}): every identifier lookup and
     * suppression entry would stop matching.
     */
    public byte[] blindIndex(String accountId, String kind, String normalised) {
        try {
            return accounts.index(accountId)
                    .computePrimary((kind + "\u0000" + normalised).getBytes(StandardCharsets.UTF_8), 32);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot compute a blind index", e);
        }
    }

    /**
     * Forgets every subject key unwrapped so far, as a restart would: the benchmark measures reads
     * of a server that has just started (each person's key unwrapped again). Nothing else needs it:
     * the cache only ever holds keys that still open what they sealed.
     */
    public void forgetCachedKeys() {
        subjectKeys.invalidateAll();
        sealingKeyIds.invalidateAll();
    }

    AccountKeys accountKeys() {
        return accounts;
    }

    private SubjectKey sealingKey(Handle h, String accountId, String subjectId) {
        var subject = new SubjectRef(accountId, subjectId);
        String keyId = sealingKeyIds.getIfPresent(subject);
        if (keyId != null) {
            SubjectKey cached = subjectKeys.getIfPresent(new KeyRef(accountId, keyId));
            if (cached != null) return cached;
        }
        StoredKey stored = store.sealingKey(h, accountId, subjectId)
                .orElseThrow(() -> new SubjectKeyDestroyed(accountId, subjectId));
        SubjectKey key = unwrap(h, accountId, stored);
        subjectKeys.put(new KeyRef(accountId, stored.id()), key);
        sealingKeyIds.put(subject, stored.id());
        return key;
    }

    /** A subject key, unwrapped; null when it was destroyed (a cache loader's "nothing"). */
    private SubjectKey loadKey(Handle h, KeyRef ref) {
        return store.subjectKey(h, ref.accountId(), ref.keyId())
                .map(k -> unwrap(h, ref.accountId(), k))
                .orElse(null);
    }

    private SubjectKey unwrap(Handle h, String accountId, StoredKey stored) {
        return unwrap(accounts.data(h, accountId, stored.epoch()), accountId, stored);
    }

    private static SubjectKey unwrap(Aead wrapping, String accountId, StoredKey stored) {
        return new SubjectKey(
                stored.id(), Crypt.decrypt(wrapping, stored.wrapped(), subjectKeyContext(accountId, stored.id())));
    }

    /** What a subject key is bound to when wrapped: not its owner, which a merge changes. */
    static byte[] subjectKeyContext(String accountId, String keyId) {
        return ("lethe/subject-key/v2|" + accountId + "|" + keyId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] accountValueContext(String accountId, String keyId, String purpose, String valueId) {
        return ("lethe/account-value/v1|" + accountId + "|" + keyId + "|" + purpose + "|" + valueId)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] valueContext(String accountId, String keyId, String category, String valueId) {
        return ("lethe/value/v2|" + accountId + "|" + keyId + "|" + category + "|" + valueId)
                .getBytes(StandardCharsets.UTF_8);
    }
}
