package dev.lethe.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.prf.PrfSet;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A subject key, unwrapped: an HKDF PRF from which one AES-256-GCM key per category is derived.
 * Deriving costs an HKDF and a key schedule, so each category's key is made once per cached
 * subject key, not once per value; evicting the subject key evicts all of them at once.
 */
final class SubjectKey {

    private final String keyId;
    private final PrfSet prf;
    private final Map<String, Aead> byCategory = new ConcurrentHashMap<>();

    SubjectKey(String keyId, byte[] keyset) {
        this(keyId, Tink.prf(keyset));
    }

    SubjectKey(String keyId, PrfSet prf) {
        this.keyId = keyId;
        this.prf = prf;
    }

    String keyId() {
        return keyId;
    }

    /** The AEAD that seals this key's values of one category. */
    Aead category(String category) {
        return byCategory.computeIfAbsent(category, c -> Tink.aesGcm(categoryKey(c)));
    }

    /**
     * The raw bytes of one category's key: only ever wrapped under a hold key, in the transaction
     * that destroys this subject key, so the category outlives it.
     */
    byte[] categoryKey(String category) {
        try {
            return prf.computePrimary(("lethe/category-key/v1|" + category).getBytes(StandardCharsets.UTF_8), 32);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot derive a category key", e);
        }
    }
}
