package dev.lethe.subscriptions;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The subprocessor_subscriptions table in SQL. */
final class JdbcSubscriptionStore {

    /** One subscription; {@code address} is the sealed email or URL. */
    record Row(
            String accountId,
            String subscriptionId,
            String channel,
            String keyId,
            byte[] address,
            Instant createdAt,
            Instant confirmedAt) {}

    /**
     * Locks the account's row for the transaction: subscriptions are counted, then inserted, and two
     * at once would both count below the cap. On PostgreSQL the lock is {@code for no key update}:
     * it does not wait for (or block) the key-share locks every insert of the account's data takes
     * for its foreign key; nothing else locks account rows.
     */
    void lockAccount(Handle h, String accountId) {
        String lock = dev.lethe.storage.BinaryCopy.available(h) ? "for no key update" : "for update";
        h.createQuery("select account_id from accounts where account_id = :account " + lock)
                .bind("account", accountId)
                .mapTo(String.class)
                .findOne();
    }

    boolean exists(Handle h, String accountId, byte[] index) {
        return h.createQuery("""
                        select count(*) from subprocessor_subscriptions
                        where account_id = :account and address_index = :index""")
                        .bind("account", accountId)
                        .bind("index", index)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    /** Subscriptions of the account made at or after {@code since} (each sent one confirmation). */
    int madeSince(Handle h, String accountId, Instant since) {
        return h.createQuery("""
                        select count(*) from subprocessor_subscriptions
                        where account_id = :account and created_at >= :since""")
                .bind("account", accountId)
                .bind("since", utc(since))
                .mapTo(Integer.class)
                .one();
    }

    Optional<Row> find(Handle h, String accountId, String subscriptionId) {
        return h.createQuery("""
                        select * from subprocessor_subscriptions
                        where account_id = :account and subscription_id = :id""")
                .bind("account", accountId)
                .bind("id", subscriptionId)
                .map(JdbcSubscriptionStore::row)
                .findOne();
    }

    /** Replaces the sealed address (the URL with its secret, once confirmed). */
    void reseal(Handle h, String accountId, String subscriptionId, String keyId, byte[] address) {
        h.createUpdate("""
                        update subprocessor_subscriptions set key_id = :key, address = :address
                        where account_id = :account and subscription_id = :id""")
                .bind("key", keyId)
                .bind("address", address)
                .bind("account", accountId)
                .bind("id", subscriptionId)
                .execute();
    }

    void insert(Handle h, Row row, byte[] index, byte[] confirmHash) {
        h.createUpdate("""
                        insert into subprocessor_subscriptions (account_id, subscription_id, channel, key_id, address,
                                                                address_index, confirm_hash, created_at)
                        values (:account, :id, :channel, :key, :address, :index, :hash, :at)
                        """)
                .bind("account", row.accountId())
                .bind("id", row.subscriptionId())
                .bind("channel", row.channel())
                .bind("key", row.keyId())
                .bind("address", row.address())
                .bind("index", index)
                .bind("hash", confirmHash)
                .bind("at", utc(row.createdAt()))
                .execute();
    }

    /** Confirms the unconfirmed subscription with this token hash made after {@code since}. */
    Optional<String> confirm(Handle h, String accountId, byte[] confirmHash, Instant since, Instant now) {
        var id = h.createQuery("""
                        select subscription_id from subprocessor_subscriptions
                        where account_id = :account and confirm_hash = :hash and created_at > :since
                        """)
                .bind("account", accountId)
                .bind("hash", confirmHash)
                .bind("since", utc(since))
                .mapTo(String.class)
                .findOne();
        id.ifPresent(s -> h.createUpdate("""
                        update subprocessor_subscriptions set confirm_hash = null, confirmed_at = :now
                        where account_id = :account and subscription_id = :id""")
                .bind("account", accountId)
                .bind("id", s)
                .bind("now", utc(now))
                .execute());
        return id;
    }

    boolean delete(Handle h, String accountId, String subscriptionId) {
        return h.createUpdate("""
                                delete from subprocessor_subscriptions
                                where account_id = :account and subscription_id = :id""")
                        .bind("account", accountId)
                        .bind("id", subscriptionId)
                        .execute()
                == 1;
    }

    List<Row> confirmed(Handle h, String accountId) {
        return h.createQuery("""
                        select * from subprocessor_subscriptions
                        where account_id = :account and confirmed_at is not null
                        order by subscription_id""")
                .bind("account", accountId)
                .map(JdbcSubscriptionStore::row)
                .list();
    }

    private static Row row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Row(
                rs.getString("account_id"),
                rs.getString("subscription_id"),
                rs.getString("channel"),
                rs.getString("key_id"),
                rs.getBytes("address"),
                instant(rs, "created_at"),
                instant(rs, "confirmed_at"));
    }

    /** Deletes subscriptions never confirmed and made before {@code before}; returns how many. */
    int deleteUnconfirmed(Handle h, Instant before) {
        return h.createUpdate("""
                        delete from subprocessor_subscriptions
                        where confirmed_at is null and created_at < :before""").bind("before", utc(before)).execute();
    }
}
