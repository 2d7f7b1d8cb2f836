package dev.lethe.activity;

import static dev.lethe.storage.Timestamps.utc;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Messages and conversations in SQL. */
public final class JdbcMessageStore implements MessageStore {

    @Override
    public void insert(Handle h, String accountId, List<Message> messages) {
        if (messages.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into messages
                  (account_id, sent_at, message_id, subject_id, channel, product, api, direction, record_rule,
                   conversation_key, campaign_id, status, received_at)
                values (:account, :sentAt, :id, :subject, :channel, :product, :api, :direction, :rule,
                        :conversation, :campaign, :status, :receivedAt)
                """);
        for (var m : messages) {
            batch.bind("account", accountId)
                    .bind("sentAt", utc(m.sentAt()))
                    .bind("id", m.messageId())
                    .bind("subject", m.subjectId())
                    .bind("channel", m.channel())
                    .bind("product", m.product())
                    .bind("api", m.api())
                    .bind("direction", m.direction())
                    .bind("rule", m.recordRule())
                    .bind("conversation", m.conversationKey())
                    .bind("campaign", m.campaignId())
                    .bind("status", m.status())
                    .bind("receivedAt", utc(m.receivedAt()))
                    .add();
        }
        batch.execute();
    }

    @Override
    public List<Message> ofSubject(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select * from messages where account_id = :account and subject_id = :subject
                        order by sent_at, message_id
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map((rs, ctx) -> new Message(
                        rs.getString("message_id"),
                        rs.getString("subject_id"),
                        rs.getString("channel"),
                        rs.getString("product"),
                        rs.getString("api"),
                        rs.getString("direction"),
                        rs.getString("record_rule"),
                        rs.getString("conversation_key"),
                        rs.getString("campaign_id"),
                        rs.getString("status"),
                        rs.getObject("sent_at", OffsetDateTime.class).toInstant(),
                        rs.getObject("received_at", OffsetDateTime.class).toInstant()))
                .list();
    }

    @Override
    public Optional<Instant> conversationStart(Handle h, String accountId, String conversationKey) {
        return h.createQuery(
                        "select started_at from conversations where account_id = :account and conversation_key = :key")
                .bind("account", accountId)
                .bind("key", conversationKey)
                .map((rs, ctx) ->
                        rs.getObject("started_at", OffsetDateTime.class).toInstant())
                .findOne();
    }

    @Override
    public void conversationSeen(Handle h, String accountId, String conversationKey, Instant at) {
        var known = conversationStart(h, accountId, conversationKey);
        if (known.isEmpty()) {
            h.createUpdate("""
                            insert into conversations (account_id, conversation_key, started_at)
                            values (:account, :key, :at)
                            """)
                    .bind("account", accountId)
                    .bind("key", conversationKey)
                    .bind("at", utc(at))
                    .execute();
        } else if (at.isBefore(known.get())) {
            h.createUpdate("""
                            update conversations set started_at = :at
                            where account_id = :account and conversation_key = :key
                            """)
                    .bind("account", accountId)
                    .bind("key", conversationKey)
                    .bind("at", utc(at))
                    .execute();
        }
    }
}
