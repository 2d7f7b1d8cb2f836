package dev.lethe.registry;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Told of every policy version an account publishes, in the transaction that stores it (before its
 * audit entry, which comes last): what it writes exists exactly when the version does. Sub-processor
 * change notices are one (docs/webhooks.md).
 */
@FunctionalInterface
public interface PolicyPublished {

    /**
     * @param previous the policy in force before (the account's own, else the platform default)
     * @param version the version just stored
     */
    void published(Handle h, String accountId, Optional<Policy> previous, PolicyVersion version);
}
