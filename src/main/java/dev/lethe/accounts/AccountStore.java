package dev.lethe.accounts;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Accounts, keys and approved retention extensions. Methods run on the caller's handle. */
public interface AccountStore {

    void insertAccount(Handle h, Account account);

    Optional<Account> findAccount(Handle h, String accountId);

    List<Account> listAccounts(Handle h);

    void setContractEnd(Handle h, String accountId, Instant endedAt);

    void setNoticesPublic(Handle h, String accountId, boolean published);

    void insertKey(Handle h, ApiKey key, String createdBy);

    Optional<ApiKey> findKey(Handle h, String keyId);

    List<ApiKey> listKeys(Handle h, String accountId);

    void deleteKey(Handle h, String accountId, String keyId);

    boolean revokeKey(Handle h, String accountId, String keyId, Instant at);

    boolean hasLiveOperatorKey(Handle h);

    void upsertExtension(Handle h, RetentionExtension extension);

    List<RetentionExtension> listExtensions(Handle h, String accountId);
}
