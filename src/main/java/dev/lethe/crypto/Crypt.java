package dev.lethe.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;

/** AEAD calls with Tink's checked exception turned into {@link CryptoFailure}. */
final class Crypt {

    private Crypt() {}

    static byte[] encrypt(Aead aead, byte[] plaintext, byte[] context) {
        try {
            return aead.encrypt(plaintext, context);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot encrypt", e);
        }
    }

    static byte[] decrypt(Aead aead, byte[] ciphertext, byte[] context) {
        try {
            return aead.decrypt(ciphertext, context);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot decrypt: the ciphertext was altered, or belongs to another key or row", e);
        }
    }
}
