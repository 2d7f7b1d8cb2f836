package dev.lethe.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.prf.PrfSet;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The key hierarchy (promise 3): the master key wraps each account's keys; an account's data key
 * wraps the key of each of its data subjects; every personal value is sealed under its subject's
 * key with the account, subject and category bound as associated data, so a ciphertext moved to
 * another row, subject or account no longer opens. Exact lookups use a keyed PRF of the account
 * (a blind index), never the value itself.
 *
 * <p>Unwrapped keys are cached, because unwrapping costs more than the encryption it enables.
 * {@link #shred} evicts the subject's key here at once; another server instance may keep its
 * cached copy for at most {@link #CACHE_LIFETIME}.
 */
public final class Keyring {

    /** How long an unwrapped key stays in memory without being reloaded. */
    public static final Duration CACHE_LIFETIME = Duration.ofMinutes(5);

    private static final String DATA = "data";
    private static final String INDEX = "index";

    private record SubjectRef(String accountId, String subjectId) {}

    private final Jdbi jdbi;
    private final KeyStore store;
    private final MasterKey master;
    private final Cache<String, Aead> accountKeys = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(CACHE_LIFETIME)
            .build();
    private final Cache<String, PrfSet> indexKeys = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(CACHE_LIFETIME)
            .build();
    private final Cache<SubjectRef, Aead> subjectKeys = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterWrite(CACHE_LIFETIME)
            .build();

    public Keyring(Jdbi jdbi, KeyStore store, MasterKey master) {
        this.jdbi = jdbi;
        this.store = store;
        this.master = master;
    }

    /**
     * Checks at start that the master key opens this database's account keys, so a wrong key
     * stops start-up with a clear message instead of failing every later read.
     */
    public void checkMasterKey() {
        jdbi.withHandle(h -> store.anyAccountDataKey(h)).ifPresent(key -> {
            try {
                master.unwrap(key.getValue(), accountContext(key.getKey(), DATA));
            } catch (CryptoFailure e) {
                throw new IllegalStateException(
                        "the master key (--master-key / LETHE_MASTER_KEY, or master-key.json in the data directory)"
                                + " does not open this database's account keys: it is not the key this database was"
                                + " made with",
                        e);
            }
        });
    }

    /** Makes the key of a new subject, in the caller's transaction. */
    public void createSubjectKey(Handle h, String accountId, String subjectId) {
        createSubjectKeys(h, accountId, List.of(subjectId));
    }

    /** Makes the keys of many new subjects, in the caller's transaction, in one batch. */
    public void createSubjectKeys(Handle h, String accountId, List<String> subjectIds) {
        var wrapped = new java.util.LinkedHashMap<String, byte[]>();
        for (String subjectId : subjectIds) {
            byte[] keyset = Tink.newAeadKeyset();
            wrapped.put(subjectId, encrypt(accountAead(accountId), keyset, subjectContext(accountId, subjectId)));
            subjectKeys.put(new SubjectRef(accountId, subjectId), Tink.aead(keyset));
        }
        store.insertSubjectKeys(h, accountId, wrapped);
    }

    /** Seals one personal value under its subject's key. */
    public byte[] seal(Handle h, String accountId, String subjectId, String category, byte[] plaintext) {
        return encrypt(subjectAead(h, accountId, subjectId), plaintext, valueContext(accountId, subjectId, category));
    }

    /** Opens a value sealed by {@link #seal}; {@link SubjectKeyDestroyed} when the key is gone. */
    public byte[] open(Handle h, String accountId, String subjectId, String category, byte[] ciphertext) {
        try {
            return subjectAead(h, accountId, subjectId)
                    .decrypt(ciphertext, valueContext(accountId, subjectId, category));
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("a value of subject " + subjectId + " does not open under its key and context", e);
        }
    }

    /**
     * Crypto-shredding: destroys the subject's key, so every copy of every value sealed under it —
     * in tables, logs of the database, backups — is unreadable at once.
     */
    public boolean shred(Handle h, String accountId, String subjectId) {
        subjectKeys.invalidate(new SubjectRef(accountId, subjectId));
        boolean destroyed = store.deleteSubjectKey(h, accountId, subjectId);
        subjectKeys.invalidate(new SubjectRef(accountId, subjectId));
        return destroyed;
    }

    /**
     * The subjects among these whose key is destroyed, read from the database rather than the
     * cache (another instance may have shredded one). Called with the subjects' rows locked, so
     * the answer holds until the caller's transaction ends: keys are destroyed only by writers
     * that hold the subject's lock (docs/locks.md).
     */
    public java.util.Set<String> destroyed(Handle h, String accountId, java.util.Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return java.util.Set.of();
        var live = store.subjectsWithKeys(h, accountId, subjectIds);
        var gone = new java.util.HashSet<String>();
        for (String subject : subjectIds) {
            if (!live.contains(subject)) {
                gone.add(subject);
                subjectKeys.invalidate(new SubjectRef(accountId, subject));
            }
        }
        return gone;
    }

    /** The account's keyed PRF of an identifier: equal inputs give equal indexes, and nothing else. */
    public byte[] blindIndex(String accountId, String kind, String normalised) {
        PrfSet prf = indexKeys.get(accountId, id -> Tink.prf(accountKey(id, INDEX)));
        try {
            return prf.computePrimary((kind + "\u0000" + normalised).getBytes(StandardCharsets.UTF_8), 32);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot compute a blind index", e);
        }
    }

    private Aead subjectAead(Handle h, String accountId, String subjectId) {
        return subjectKeys.get(new SubjectRef(accountId, subjectId), ref -> {
            byte[] wrapped = store.subjectKey(h, accountId, subjectId)
                    .orElseThrow(() -> new SubjectKeyDestroyed(accountId, subjectId));
            return Tink.aead(decrypt(accountAead(accountId), wrapped, subjectContext(accountId, subjectId)));
        });
    }

    private Aead accountAead(String accountId) {
        return accountKeys.get(accountId, id -> Tink.aead(accountKey(id, DATA)));
    }

    /** An account key, unwrapped; made on first use (the first instance to store one wins). */
    private byte[] accountKey(String accountId, String purpose) {
        byte[] context = accountContext(accountId, purpose);
        var wrapped = jdbi.withHandle(h -> store.accountKey(h, accountId, purpose));
        if (wrapped.isEmpty()) {
            byte[] fresh = DATA.equals(purpose) ? Tink.newAeadKeyset() : Tink.newPrfKeyset();
            try {
                jdbi.useTransaction(h -> store.insertAccountKey(h, accountId, purpose, master.wrap(fresh, context)));
            } catch (RuntimeException raced) {
                // another instance stored one at the same moment: use that one
            }
            wrapped = jdbi.withHandle(h -> store.accountKey(h, accountId, purpose));
        }
        return master.unwrap(wrapped.orElseThrow(), context);
    }

    private static byte[] accountContext(String accountId, String purpose) {
        return ("lethe/account-key/v1|" + accountId + "|" + purpose).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] subjectContext(String accountId, String subjectId) {
        return ("lethe/subject-key/v1|" + accountId + "|" + subjectId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] valueContext(String accountId, String subjectId, String category) {
        return ("lethe/value/v1|" + accountId + "|" + subjectId + "|" + category).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encrypt(Aead aead, byte[] plaintext, byte[] context) {
        try {
            return aead.encrypt(plaintext, context);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot encrypt", e);
        }
    }

    private static byte[] decrypt(Aead aead, byte[] ciphertext, byte[] context) {
        try {
            return aead.decrypt(ciphertext, context);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot unwrap a subject key: it was altered, or belongs elsewhere", e);
        }
    }
}
