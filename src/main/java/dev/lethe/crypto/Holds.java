package dev.lethe.crypto;

import com.google.crypto.tink.Aead;
import dev.lethe.crypto.KeyStore.HeldKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Categories kept past the destruction of their subject's keys (a legal hold, an
 * {@code after: erased} rule). Each hold has a key of its own, wrapped like a subject key; a held
 * category's derived key is wrapped under it. No value is decrypted or rewritten, and releasing
 * the hold destroys its key and every category key under it.
 */
final class Holds {

    private final KeyStore store;
    private final AccountKeys accounts;

    Holds(KeyStore store, AccountKeys accounts) {
        this.store = store;
        this.accounts = accounts;
    }

    /** Wraps each held category's key of each of {@code keys} under its hold's key. */
    void keep(Handle h, String accountId, List<SubjectKey> keys, Map<String, String> holdByCategory) {
        var held = new ArrayList<HeldKey>();
        for (var hold : holdByCategory.entrySet()) {
            String category = hold.getKey();
            String holdId = hold.getValue();
            Aead holdKey = holdKey(h, accountId, holdId);
            for (var key : keys) {
                byte[] wrapped = Crypt.encrypt(
                        holdKey, key.categoryKey(category), heldContext(accountId, key.keyId(), category, holdId));
                held.add(new HeldKey(key.keyId(), category, holdId, wrapped));
            }
        }
        store.insertHeldKeys(h, accountId, held);
    }

    /** The key of a held category of a destroyed subject key, if a hold keeps it. */
    Optional<Aead> open(Handle h, String accountId, String keyId, String category) {
        return store.heldKey(h, accountId, keyId, category).map(held -> {
            Aead holdKey = existingHoldKey(h, accountId, held.holdId());
            byte[] categoryKey =
                    Crypt.decrypt(holdKey, held.wrapped(), heldContext(accountId, keyId, category, held.holdId()));
            return Tink.aesGcm(categoryKey);
        });
    }

    /** Destroys a hold's key and the category keys under it; how many category keys. */
    int release(Handle h, String accountId, String holdId) {
        return store.deleteHold(h, accountId, holdId);
    }

    /**
     * The account's own key for one purpose (the outbox's, for mail about nobody in particular):
     * kept beside the hold keys under an id derived from the account and the purpose, so it is
     * wrapped by the account data key and re-wrapped by every epoch like them. No hold refers to
     * it; only {@code Keyring#destroyAccountKey} destroys it (a job's key, with the job's files). Made on
     * first use, in the caller's transaction.
     */
    Aead accountKey(Handle h, String accountId, String purpose) {
        return holdKey(h, accountId, accountKeyId(accountId, purpose));
    }

    /** The account key {@link #accountKey} made under this id, if it exists. */
    Optional<Aead> existingAccountKey(Handle h, String accountId, String keyId) {
        if (store.holdKey(h, accountId, keyId).isEmpty()) return Optional.empty();
        return Optional.of(existingHoldKey(h, accountId, keyId));
    }

    /** Where {@link #accountKey} keeps the account's key for a purpose. */
    static String accountKeyId(String accountId, String purpose) {
        return UUID.nameUUIDFromBytes(
                        ("lethe/account-key/v1|" + accountId + "|" + purpose).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private Aead holdKey(Handle h, String accountId, String holdId) {
        if (store.holdKey(h, accountId, holdId).isEmpty()) {
            int epoch = accounts.newestEpoch(h, accountId);
            byte[] wrapped =
                    Crypt.encrypt(accounts.data(h, accountId, epoch), Tink.newAeadKeyset(), context(accountId, holdId));
            store.insertHoldKey(h, accountId, holdId, epoch, wrapped);
        }
        return existingHoldKey(h, accountId, holdId);
    }

    private Aead existingHoldKey(Handle h, String accountId, String holdId) {
        var stored = store.holdKey(h, accountId, holdId)
                .orElseThrow(() -> new IllegalStateException("hold " + holdId + " has no key"));
        return Tink.aead(Crypt.decrypt(
                accounts.data(h, accountId, stored.epoch()), stored.wrapped(), context(accountId, holdId)));
    }

    /** What a hold key is bound to when wrapped by an account data key. */
    static byte[] context(String accountId, String holdId) {
        return ("lethe/hold-key/v1|" + accountId + "|" + holdId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] heldContext(String accountId, String keyId, String category, String holdId) {
        return ("lethe/held-key/v1|" + accountId + "|" + keyId + "|" + category + "|" + holdId)
                .getBytes(StandardCharsets.UTF_8);
    }
}
