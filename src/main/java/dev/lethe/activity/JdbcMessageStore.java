package dev.lethe.activity;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Messages and conversations in SQL. */
public final class JdbcMessageStore implements MessageStore {

    @Override
    public void insert(Handle h, String accountId, List<Message> messages) {
        if (messages.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into messages
                  (account_id, sent_at, message_id, subject_id, channel, product, api, direction, record_rule,
                   conversation_key, campaign_id, status, received_at, send_at, rule_kind, anchor_at)
                values (:account, :sentAt, :id, :subject, :channel, :product, :api, :direction, :rule,
                        :conversation, :campaign, :status, :receivedAt, :sendAt, :ruleKind, :anchorAt)
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
                    .bindByType("sendAt", utc(m.sendAt()), OffsetDateTime.class)
                    .bind("ruleKind", m.ruleKind())
                    .bind("anchorAt", utc(m.anchorAt()))
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
                .map(JdbcMessageStore::message)
                .list();
    }

    @Override
    public List<Message> page(
            Handle h, String accountId, String subjectId, Instant from, Instant to, TimelineCursor after, int limit) {
        String sql = "select * from messages where account_id = :account and subject_id = :subject"
                + TimelineSql.conditions("sent_at", "message_id", from, to, after)
                + " order by sent_at desc, message_id desc limit :limit";
        var q = h.createQuery(sql)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("limit", limit);
        return TimelineSql.bind(q, from, to, after)
                .map(JdbcMessageStore::message)
                .list();
    }

    private static Message message(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Message(
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
                instant(rs, "sent_at"),
                instant(rs, "received_at"),
                instant(rs, "send_at"),
                rs.getString("rule_kind"),
                instant(rs, "anchor_at"));
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
    public Optional<Instant> conversationSeen(
            Handle h, String accountId, String conversationKey, String subjectId, Instant at) {
        var known = conversationStart(h, accountId, conversationKey);
        if (known.isEmpty()) {
            h.createUpdate("""
                            insert into conversations (account_id, conversation_key, subject_id, started_at)
                            values (:account, :key, :subject, :at)
                            """)
                    .bind("account", accountId)
                    .bind("key", conversationKey)
                    .bind("subject", subjectId)
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
        return known;
    }

    /**
     * Rows counted from the conversation's start follow it when it moves earlier: the messages of
     * the conversation whose row rule counts from it, and the values of its messages whose rule does.
     */
    @Override
    public void reanchorConversation(
            Handle h, String accountId, String conversationKey, Collection<String> ruleKinds, Instant start) {
        if (ruleKinds.isEmpty()) return;
        h.createUpdate("""
                        update messages set anchor_at = :start
                        where account_id = :account and conversation_key = :key and rule_kind in (<rules>)
                          and anchor_at <> :start
                        """)
                .bind("account", accountId)
                .bind("key", conversationKey)
                .bindList("rules", List.copyOf(ruleKinds))
                .bind("start", utc(start))
                .execute();
        h.createUpdate("""
                        update personal_values set anchor_at = :start
                        where account_id = :account and rule_kind in (<rules>) and anchor_at <> :start
                          and record_id in (select message_id from messages
                                            where account_id = :account and conversation_key = :key)
                        """)
                .bind("account", accountId)
                .bind("key", conversationKey)
                .bindList("rules", List.copyOf(ruleKinds))
                .bind("start", utc(start))
                .execute();
    }
}
