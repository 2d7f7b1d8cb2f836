package dev.lethe.crypto;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Wrapped keys. Nothing here is usable without the key above it in the hierarchy. */
public interface KeyStore {

    /** An account's wrapped key for one purpose ({@code data} or {@code index}). */
    Optional<byte[]> accountKey(Handle h, String accountId, String purpose);

    /** Any one account's data key, with its account id: to check the master key at start. */
    Optional<java.util.Map.Entry<String, byte[]>> anyAccountDataKey(Handle h);

    /** Stores an account key; false when one already exists (another instance was first). */
    boolean insertAccountKey(Handle h, String accountId, String purpose, byte[] wrapped);

    Optional<byte[]> subjectKey(Handle h, String accountId, String subjectId);

    /** Which of these subjects still have a key. */
    java.util.Set<String> subjectsWithKeys(Handle h, String accountId, java.util.Collection<String> subjectIds);

    void insertSubjectKey(Handle h, String accountId, String subjectId, byte[] wrapped);

    /** Stores many subject keys (subject id → wrapped key) in one batch. */
    void insertSubjectKeys(Handle h, String accountId, java.util.Map<String, byte[]> wrappedBySubject);

    /** Destroys a subject key; true when there was one. */
    boolean deleteSubjectKey(Handle h, String accountId, String subjectId);
}
