package dev.lethe.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/** Storage of the logs and their keys. Every method runs on the caller's handle, inside its transaction. */
public interface AuditStore {

    /** Creates the empty chain of a new account. */
    void createChain(Handle h, String accountId);

    /** Writes a sealed, pending entry: an insert, no lock on anything shared by the account's writers. */
    void insertPending(Handle h, AuditEntry entry);

    /** {@link #insertPending} for many entries, in their order (one round trip where the store can). */
    default void insertPendingAll(Handle h, List<AuditEntry> entries) {
        for (var e : entries) insertPending(h, e);
    }

    /** Locks and returns the head of the chain, so no other chainer can interleave. */
    ChainHead lockHead(Handle h, String accountId);

    /** Up to {@code limit} pending entries not refused, in the order they were written. */
    List<AuditEntry> pending(Handle h, String accountId, int limit);

    /** Gives pending entries their place in the chain (sequence number, predecessor, hash). */
    void chain(Handle h, List<AuditEntry> chained);

    /** Marks a pending entry whose seal does not hold, so it is never chained. */
    void refuse(Handle h, String accountId, String entryId, Instant at);

    void moveHead(Handle h, String accountId, ChainHead head);

    /** Chained entries, filtered, in chain order. */
    List<AuditEntry> find(Handle h, String accountId, AuditQuery query);

    /** Streams the whole chain in sequence order (for verification). */
    void forEachInOrder(Handle h, String accountId, Consumer<AuditEntry> sink);

    /** Every entry not chained (pending or refused), in the order written, with whether it was refused. */
    void forEachUnchained(Handle h, String accountId, Consumer<Unchained> sink);

    /** An entry outside the chain, and when the chainer refused it (null while merely pending). */
    record Unchained(AuditEntry entry, Instant refusedAt) {}

    /** The recorded head; empty when the account has no chain (or its head row was removed). */
    Optional<ChainHead> head(Handle h, String accountId);

    /** How many chained entries have a place past the recorded head, read in one statement. */
    long countPastHead(Handle h, String accountId);

    /** Every account that has, or should have, a chain: accounts, heads, and entries. */
    List<String> chainOwners(Handle h);

    /** Accounts with entries waiting to be chained (not refused). */
    List<String> accountsWithPending(Handle h);

    /** The account's audit key, wrapped by the master key. */
    Optional<byte[]> key(Handle h, String accountId);

    void insertKey(Handle h, String accountId, byte[] wrapped, Instant at);
}
