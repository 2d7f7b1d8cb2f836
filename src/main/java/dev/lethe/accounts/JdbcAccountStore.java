package dev.lethe.accounts;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.Period;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Accounts and keys in SQL. */
public final class JdbcAccountStore implements AccountStore {

    @Override
    public void insertAccount(Handle h, Account a) {
        h.createUpdate("""
            insert into accounts (account_id, name, created_at, notices_public)
            values (:id, :name, :createdAt, :public)
            """)
                .bind("id", a.id())
                .bind("name", a.name())
                .bind("createdAt", utc(a.createdAt()))
                .bind("public", a.noticesPublic())
                .execute();
    }

    @Override
    public Optional<Account> findAccount(Handle h, String accountId) {
        return h.createQuery("select * from accounts where account_id = :id")
                .bind("id", accountId)
                .map(JdbcAccountStore::account)
                .findOne();
    }

    @Override
    public List<Account> listAccounts(Handle h) {
        return h.createQuery("select * from accounts where account_id <> :platform order by created_at")
                .bind("platform", Account.PLATFORM)
                .map(JdbcAccountStore::account)
                .list();
    }

    @Override
    public void setContractEnd(Handle h, String accountId, Instant endedAt) {
        h.createUpdate("update accounts set contract_ended_at = :at where account_id = :id")
                .bind("id", accountId)
                .bind("at", utc(endedAt))
                .execute();
    }

    @Override
    public void setNoticesPublic(Handle h, String accountId, boolean published) {
        h.createUpdate("update accounts set notices_public = :p where account_id = :id")
                .bind("id", accountId)
                .bind("p", published)
                .execute();
    }

    @Override
    public void insertKey(Handle h, ApiKey k, String createdBy) {
        h.createUpdate("""
            insert into api_keys (account_id, key_id, secret_hash, scopes, label, created_at, created_by)
            values (:account, :keyId, :hash, :scopes, :label, :createdAt, :createdBy)
            """)
                .bind("account", k.accountId())
                .bind("keyId", k.keyId())
                .bind("hash", k.secretHash())
                .bind(
                        "scopes",
                        k.scopes().stream().map(Scope::wireName).sorted().collect(Collectors.joining(",")))
                .bind("label", k.label())
                .bind("createdAt", utc(k.createdAt()))
                .bind("createdBy", createdBy)
                .execute();
    }

    @Override
    public Optional<ApiKey> findKey(Handle h, String keyId) {
        return h.createQuery("select * from api_keys where key_id = :keyId")
                .bind("keyId", keyId)
                .map(JdbcAccountStore::key)
                .findOne();
    }

    @Override
    public List<ApiKey> listKeys(Handle h, String accountId) {
        return h.createQuery("select * from api_keys where account_id = :account order by created_at")
                .bind("account", accountId)
                .map(JdbcAccountStore::key)
                .list();
    }

    @Override
    public void deleteKey(Handle h, String accountId, String keyId) {
        h.createUpdate("delete from api_keys where account_id = :account and key_id = :keyId")
                .bind("account", accountId)
                .bind("keyId", keyId)
                .execute();
    }

    @Override
    public boolean revokeKey(Handle h, String accountId, String keyId, Instant at) {
        return h.createUpdate("""
                update api_keys set revoked_at = :at
                where account_id = :account and key_id = :keyId and revoked_at is null
                """)
                        .bind("account", accountId)
                        .bind("keyId", keyId)
                        .bind("at", utc(at))
                        .execute()
                == 1;
    }

    @Override
    public boolean hasLiveOperatorKey(Handle h) {
        return h.createQuery("""
            select count(*) from api_keys
            where account_id = :platform and revoked_at is null and scopes like '%operator%'
            """)
                        .bind("platform", Account.PLATFORM)
                        .mapTo(Long.class)
                        .one()
                > 0;
    }

    @Override
    public void upsertExtension(Handle h, RetentionExtension e) {
        h.createUpdate("delete from retention_extensions where account_id = :account and target = :target")
                .bind("account", e.accountId())
                .bind("target", e.target())
                .execute();
        h.createUpdate("""
            insert into retention_extensions
              (account_id, target, max_period, reason, approved_by, approved_at)
            values (:account, :target, :period, :reason, :by, :at)
            """)
                .bind("account", e.accountId())
                .bind("target", e.target())
                .bind("period", e.maxPeriod().toString())
                .bind("reason", e.reason())
                .bind("by", e.approvedBy())
                .bind("at", utc(e.approvedAt()))
                .execute();
    }

    @Override
    public List<RetentionExtension> listExtensions(Handle h, String accountId) {
        return h.createQuery("select * from retention_extensions where account_id = :account order by target")
                .bind("account", accountId)
                .map((rs, ctx) -> new RetentionExtension(
                        rs.getString("account_id"),
                        rs.getString("target"),
                        Period.parse(rs.getString("max_period")),
                        rs.getString("reason"),
                        rs.getString("approved_by"),
                        instant(rs, "approved_at")))
                .list();
    }

    private static Account account(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Account(
                rs.getString("account_id"),
                rs.getString("name"),
                instant(rs, "created_at"),
                instant(rs, "contract_ended_at"),
                rs.getBoolean("notices_public"));
    }

    private static ApiKey key(ResultSet rs, StatementContext ctx) throws SQLException {
        Set<Scope> scopes = Arrays.stream(rs.getString("scopes").split(","))
                .map(Scope::fromWire)
                .collect(Collectors.toUnmodifiableSet());
        return new ApiKey(
                rs.getString("account_id"),
                rs.getString("key_id"),
                rs.getString("secret_hash"),
                scopes,
                rs.getString("label"),
                instant(rs, "created_at"),
                instant(rs, "revoked_at"));
    }
}
