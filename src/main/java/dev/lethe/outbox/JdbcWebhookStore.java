package dev.lethe.outbox;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The webhooks table in SQL. */
final class JdbcWebhookStore {

    /** One endpoint; {@code target} is the sealed URL and secret. */
    record Row(
            String accountId,
            String webhookId,
            String keyId,
            byte[] target,
            List<String> events,
            String processor,
            boolean personalData,
            Instant createdAt) {}

    void insert(Handle h, Row row) {
        h.createUpdate("""
                        insert into webhooks (account_id, webhook_id, key_id, target, events, processor_name,
                                              with_identifiers, created_at)
                        values (:account, :webhook, :key, :target, :events, :processor, :personal, :at)
                        """)
                .bind("account", row.accountId())
                .bind("webhook", row.webhookId())
                .bind("key", row.keyId())
                .bind("target", row.target())
                .bind("events", String.join(",", row.events()))
                .bind("processor", row.processor())
                .bind("personal", row.personalData())
                .bind("at", utc(row.createdAt()))
                .execute();
    }

    List<Row> list(Handle h, String accountId) {
        return h.createQuery("select * from webhooks where account_id = :account order by created_at, webhook_id")
                .bind("account", accountId)
                .map((rs, ctx) -> row(rs))
                .list();
    }

    Optional<Row> find(Handle h, String accountId, String webhookId) {
        return h.createQuery("select * from webhooks where account_id = :account and webhook_id = :webhook")
                .bind("account", accountId)
                .bind("webhook", webhookId)
                .map((rs, ctx) -> row(rs))
                .findOne();
    }

    boolean delete(Handle h, String accountId, String webhookId) {
        return h.createUpdate("delete from webhooks where account_id = :account and webhook_id = :webhook")
                        .bind("account", accountId)
                        .bind("webhook", webhookId)
                        .execute()
                == 1;
    }

    int count(Handle h, String accountId) {
        return h.createQuery("select count(*) from webhooks where account_id = :account")
                .bind("account", accountId)
                .mapTo(Integer.class)
                .one();
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(
                rs.getString("account_id"),
                rs.getString("webhook_id"),
                rs.getString("key_id"),
                rs.getBytes("target"),
                List.of(rs.getString("events").split(",")),
                rs.getString("processor_name"),
                rs.getBoolean("with_identifiers"),
                instant(rs, "created_at"));
    }
}
