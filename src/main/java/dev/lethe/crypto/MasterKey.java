package dev.lethe.crypto;

/**
 * The root of the key hierarchy: it wraps account keys and nothing else. A keyset file or
 * variable implements it today ({@link KeysetMasterKey}); a cloud KMS can implement it later
 * without anything above it changing.
 */
public interface MasterKey {

    /** Encrypts key material, bound to {@code context} (which must be given again to unwrap). */
    byte[] wrap(byte[] keyMaterial, byte[] context);

    /** Decrypts what {@link #wrap} made with the same context; fails if either was altered. */
    byte[] unwrap(byte[] wrapped, byte[] context);
}
