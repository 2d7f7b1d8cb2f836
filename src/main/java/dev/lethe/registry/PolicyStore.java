package dev.lethe.registry;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Policy versions per account. Methods run on the caller's handle. */
public interface PolicyStore {

    /**
     * Locks the account's policy history for the rest of the caller's transaction, so two
     * submissions at once get consecutive version numbers.
     */
    void lockVersions(Handle h, String accountId);

    /** The next version number of the account (1 for the first). */
    int nextVersion(Handle h, String accountId);

    void insert(Handle h, PolicyVersion version, String canonicalJson);

    Optional<PolicyVersion> latest(Handle h, String accountId);

    Optional<PolicyVersion> find(Handle h, String accountId, int version);

    /** All versions, newest first. */
    List<PolicyVersion> list(Handle h, String accountId);
}
