package dev.lethe.audit;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/** Storage of the chains. Every method runs on the caller's handle, inside its transaction. */
public interface AuditStore {

    /** Creates the empty chain of a new account. */
    void createChain(Handle h, String accountId);

    /** Locks and returns the head of the chain, so no other append can interleave. */
    ChainHead lockHead(Handle h, String accountId);

    void insert(Handle h, AuditEntry entry);

    void moveHead(Handle h, String accountId, ChainHead head);

    List<AuditEntry> find(Handle h, String accountId, AuditQuery query);

    /** Streams the whole chain in sequence order (for verification). */
    void forEachInOrder(Handle h, String accountId, Consumer<AuditEntry> sink);

    /** The recorded head; empty when the account has no chain (or its head row was removed). */
    Optional<ChainHead> head(Handle h, String accountId);

    /** Every account that has, or should have, a chain: accounts, heads, and entries. */
    List<String> chainOwners(Handle h);
}
