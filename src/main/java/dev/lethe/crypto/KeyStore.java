package dev.lethe.crypto;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Wrapped keys. Nothing here is usable without the key above it in the hierarchy: account keys
 * under the master key, subject and hold keys under an account data key of one epoch, held
 * category keys under a hold key.
 */
public interface KeyStore {

    /** A wrapped key: its id (key id, hold id or purpose), the epoch that wraps it, the bytes. */
    record StoredKey(String id, int epoch, byte[] wrapped) {}

    /** A new subject key: its id, its owner, the epoch that wraps it, the bytes. */
    record NewSubjectKey(String keyId, String subjectId, int epoch, byte[] wrapped) {}

    /** A held category's derived key, wrapped under the hold's key. */
    record HeldKey(String keyId, String category, String holdId, byte[] wrapped) {}

    /** An account key with the account it belongs to. */
    record AccountKey(String accountId, int epoch, byte[] wrapped) {}

    // ---- account keys

    /** Which of these subjects still have their sealing key (none once shredded). */
    Set<String> subjectsWithKeys(Handle h, String accountId, Collection<String> subjectIds);

    /** An account's wrapped key for one purpose ({@code data} or {@code index}) and epoch. */
    Optional<byte[]> accountKey(Handle h, String accountId, String purpose, int epoch);

    /** The newest epoch of an account's key for one purpose, if it has one. */
    OptionalInt newestEpoch(Handle h, String accountId, String purpose);

    /** Every epoch an account's key for one purpose has, oldest first. */
    List<Integer> epochs(Handle h, String accountId, String purpose);

    /** Any one account's data key: to check the master key at start. */
    Optional<AccountKey> anyAccountDataKey(Handle h);

    /** Stores an account key; false when that epoch exists already (another instance was first). */
    boolean insertAccountKey(Handle h, String accountId, String purpose, int epoch, byte[] wrapped);

    /** When an account key was made. */
    Optional<Instant> accountKeyCreatedAt(Handle h, String accountId, String purpose, int epoch);

    /** Destroys an account key; true when there was one. */
    boolean deleteAccountKey(Handle h, String accountId, String purpose, int epoch);

    /** How many subject and hold keys an epoch's data key still wraps. */
    long keysInEpoch(Handle h, String accountId, int epoch);

    // ---- subject keys

    void insertSubjectKeys(Handle h, String accountId, List<NewSubjectKey> keys);

    Optional<StoredKey> subjectKey(Handle h, String accountId, String keyId);

    /** The subject keys among these ids that still exist (destroyed ones are missing). */
    List<StoredKey> subjectKeys(Handle h, String accountId, Collection<String> keyIds);

    /** The key that seals the subject's new values. */
    Optional<StoredKey> sealingKey(Handle h, String accountId, String subjectId);

    /** Every key the subject owns: its own, and those of subjects merged into it. */
    List<StoredKey> keysOf(Handle h, String accountId, String subjectId);

    /** Hands every key of one subject to another, as keys that open but do not seal; how many. */
    int moveKeys(Handle h, String accountId, String fromSubject, String toSubject);

    /** Destroys every key the subject owns; how many. */
    int deleteKeysOf(Handle h, String accountId, String subjectId);

    /** The ids of the keys these subjects own: subject → key ids (one statement). */
    Map<String, List<String>> keyIdsOf(Handle h, String accountId, Collection<String> subjectIds);

    /** Deletes every key these subjects own (one statement); how many. */
    int deleteKeysOf(Handle h, String accountId, Collection<String> subjectIds);

    /** A page of the subject keys one epoch wraps, in key order, after {@code afterKeyId}. */
    List<StoredKey> subjectKeysInEpoch(Handle h, String accountId, int epoch, String afterKeyId, int limit);

    /**
     * Stores re-wrapped subject keys, each only if it is still in {@code fromEpoch} (compare and
     * set): a key destroyed meanwhile stays destroyed. Returns how many were written.
     */
    int rewrapSubjectKeys(Handle h, String accountId, int fromEpoch, List<StoredKey> rewrapped);

    // ---- holds

    Optional<StoredKey> holdKey(Handle h, String accountId, String holdId);

    /** Stores a hold's key unless the hold has one (then a concurrent caller's stands). */
    void insertHoldKey(Handle h, String accountId, String holdId, int epoch, byte[] wrapped);

    void insertHeldKeys(Handle h, String accountId, List<HeldKey> keys);

    /** One held key of this subject key and category, under any hold. */
    Optional<HeldKey> heldKey(Handle h, String accountId, String keyId, String category);

    /** Destroys a hold's key and every category key wrapped under it; how many category keys. */
    int deleteHold(Handle h, String accountId, String holdId);

    List<StoredKey> holdKeysInEpoch(Handle h, String accountId, int epoch);

    /** Like {@link #rewrapSubjectKeys}, for hold keys. */
    int rewrapHoldKeys(Handle h, String accountId, int fromEpoch, List<StoredKey> rewrapped);
}
