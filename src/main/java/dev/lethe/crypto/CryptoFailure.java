package dev.lethe.crypto;

/** A key or ciphertext that should work does not: tampering, a wrong master key, a bug. */
public final class CryptoFailure extends RuntimeException {

    public CryptoFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
