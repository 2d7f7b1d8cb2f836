package dev.lethe.registry;

import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Policy versions in SQL. The canonical JSON is stored beside the submitted text. */
public final class JdbcPolicyStore implements PolicyStore {

    @Override
    public void lockVersions(Handle h, String accountId) {
        // The account's row, by an update of a column no key refers to: on PostgreSQL that lock
        // (FOR NO KEY UPDATE) does not wait for, nor block, the key-share locks that every insert
        // of a row referring to the account takes, so ingest goes on while a policy is submitted.
        h.createUpdate("update accounts set name = name where account_id = :account")
                .bind("account", accountId)
                .execute();
    }

    @Override
    public int nextVersion(Handle h, String accountId) {
        return h.createQuery("select coalesce(max(version), 0) + 1 from policy_versions where account_id = :account")
                .bind("account", accountId)
                .mapTo(Integer.class)
                .one();
    }

    @Override
    public void insert(Handle h, PolicyVersion v, String canonicalJson) {
        h.createUpdate("""
            insert into policy_versions (account_id, version, source, media_type, document, author, created_at)
            values (:account, :version, :source, :mediaType, :document, :author, :createdAt)
            """)
                .bind("account", v.accountId())
                .bind("version", v.version())
                .bind("source", v.source())
                .bind("mediaType", v.mediaType())
                .bind("document", canonicalJson)
                .bind("author", v.author())
                .bind("createdAt", utc(v.createdAt()))
                .execute();
    }

    @Override
    public Optional<PolicyVersion> latest(Handle h, String accountId) {
        return h.createQuery("""
            select * from policy_versions where account_id = :account
            order by version desc limit 1
            """)
                .bind("account", accountId)
                .map(JdbcPolicyStore::version)
                .findOne();
    }

    @Override
    public Optional<PolicyVersion> find(Handle h, String accountId, int version) {
        return h.createQuery("select * from policy_versions where account_id = :account and version = :version")
                .bind("account", accountId)
                .bind("version", version)
                .map(JdbcPolicyStore::version)
                .findOne();
    }

    @Override
    public List<PolicyVersion> list(Handle h, String accountId) {
        return h.createQuery("select * from policy_versions where account_id = :account order by version desc")
                .bind("account", accountId)
                .map(JdbcPolicyStore::version)
                .list();
    }

    private static PolicyVersion version(ResultSet rs, StatementContext ctx) throws SQLException {
        return new PolicyVersion(
                rs.getString("account_id"),
                rs.getInt("version"),
                rs.getString("source"),
                rs.getString("media_type"),
                PolicyReader.readStored(rs.getString("document")),
                rs.getString("author"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
