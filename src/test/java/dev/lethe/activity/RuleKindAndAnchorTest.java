package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Consenting;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every value and record says which rule of the policy governs it and when that rule's clock
 * starts, so each rule's expired rows are one range for a sweep (docs/storage.md).
 */
class RuleKindAndAnchorTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eachPartOfAMessageIsGovernedByItsOwnRuleAndCountsFromItsOwnAnchor(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = account(lethe, "messaging-platform.yaml");
            Instant now = lethe.clock().instant();
            Instant oneDayAgo = now.minus(Duration.ofDays(1));

            var r = lethe.http().post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"phone": "+32 471 23 45 67"}, "channel": "whatsapp", "product": "conversations",
                       "direction": "inbound", "conversationId": "conv-7", "ts": "%s", "content": "Hi, zebulon here",
                       "traffic": {"from": "+32471234567", "route": "eu-1"},
                       "attachments": ["zebulon-photo-bytes"]}
                    ]}
                    """.formatted(oneDayAgo));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(1);

            // The log row follows the conversations' log rule, counted from the conversation's start.
            assertThat(rows(lethe, "select rule_kind, anchor_at from messages where account_id = ?", a.id()))
                    .containsExactly(row("communication_logs_conversations", oneDayAgo));
            // Content, traffic data and media each follow their own rule and anchor.
            assertThat(values(lethe, a.id()))
                    .containsExactlyInAnyOrder(
                            row("message.content", "message", "communication_content_conversations", oneDayAgo),
                            row("traffic.from", "traffic", "traffic_records", oneDayAgo),
                            row("traffic.route", "traffic", "traffic_records", oneDayAgo),
                            row("message.attachments", "media", "ott_media", oneDayAgo));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anOlderMessageMovesTheConversationsStartAndEveryRowCountedFromIt(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = account(lethe, "messaging-platform.yaml");
            Instant now = lethe.clock().instant();
            Instant later = now.minus(Duration.ofDays(1));
            Instant earlier = now.minus(Duration.ofDays(3));

            send(lethe, a, "conv-8", later, "second words of zebulon");
            send(lethe, a, "conv-8", earlier, "first words of zebulon");

            // Both log rows and both contents count from the conversation's start: the earlier message.
            assertThat(rows(lethe, "select rule_kind, anchor_at from messages where account_id = ?", a.id()))
                    .containsOnly(row("communication_logs_conversations", earlier))
                    .hasSize(2);
            assertThat(values(lethe, a.id()))
                    .filteredOn(v -> v.startsWith("message.content"))
                    .containsOnly(row("message.content", "message", "communication_content_conversations", earlier))
                    .hasSize(2);
            // Traffic data counts from each message's own collection.
            assertThat(values(lethe, a.id()))
                    .filteredOn(v -> v.startsWith("traffic.from"))
                    .containsExactlyInAnyOrder(
                            row("traffic.from", "traffic", "traffic_records", later),
                            row("traffic.from", "traffic", "traffic_records", earlier));
            // The conversation names its person, so an erasure finds it.
            assertThat(lethe.count(
                            "select count(*) from conversations c join messages m on m.account_id = c.account_id"
                                    + " and m.conversation_key = c.conversation_key and m.subject_id = c.subject_id"
                                    + " where c.account_id = ?",
                            a.id()))
                    .isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aScheduledEmailCountsFromItsSendAtDate(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = account(lethe, "messaging-platform.yaml");
            Instant sendAt = lethe.clock().instant().plus(Duration.ofDays(2));

            var r = lethe.http().post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "api": "http",
                       "direction": "outbound", "sendAt": "%s", "content": "Zebulon, your newsletter"},
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "api": "http",
                       "direction": "outbound", "sendAt": "%s", "content": "Zebulon, too early"}
                    ]}
                    """.formatted(
                            sendAt, lethe.clock().instant().minus(Duration.ofDays(1))));

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().at("/rejected/0/index").asInt()).isEqualTo(1);
            assertThat(r.json().at("/rejected/0/errors/0/path").asText()).isEqualTo("messages[1].sendAt");
            assertThat(rows(lethe, "select rule_kind, anchor_at from messages where account_id = ?", a.id()))
                    .containsExactly(row("email_content_http", sendAt));
            assertThat(rows(lethe, "select rule_kind, send_at from messages where account_id = ?", a.id()))
                    .containsExactly(row("email_content_http", sendAt));
            assertThat(values(lethe, a.id()))
                    .containsExactly(row("message.content", "message", "email_content_http", sendAt));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eventsOfVisitorsAndOfProfilesAreGovernedByTheirOwnRules(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = account(lethe, "web-personalisation.yaml");
            Instant now = lethe.clock().instant();
            Instant anHourAgo = now.minus(Duration.ofHours(1));
            // the example's browsing categories are consent-based: both devices agreed
            Consenting.consentToEverything(lethe.http(), a.adminKey(), "laptop-1", anHourAgo);
            Consenting.consentToEverything(lethe.http(), a.adminKey(), "tablet-9", anHourAgo);

            // the email is consent-based too: it is given first from a device that agreed
            Consenting.consentToEverything(lethe.http(), a.adminKey(), "desk-3", anHourAgo);

            track(lethe, a, "laptop-1", anHourAgo);
            var identify = lethe.http().post("/v1/identify", a.adminKey(), """
                    {"visitorId": "desk-3", "identifiers": {"email": "yolanda@example.org"}}
                    """);
            assertThat(identify.status()).as(identify.toString()).isEqualTo(201);
            String profile = identify.json().get("profileId").asText();
            track(lethe, a, "tablet-9", now);
            lethe.http().post("/v1/identify", a.adminKey(), """
                    {"visitorId": "tablet-9", "identifiers": {"email": "yolanda@example.org"}}
                    """);
            track(lethe, a, "tablet-9", now);

            assertThat(rows(
                            lethe,
                            "select rule_kind, anchor_at from events where account_id = ? and subject_id <> ?",
                            a.id(),
                            profile))
                    .containsExactly(row("anonymous_event", anHourAgo));
            assertThat(rows(
                            lethe,
                            "select rule_kind, anchor_at from sessions where account_id = ? and subject_id <> ?",
                            a.id(),
                            profile))
                    .containsExactly(row("complete_session", anHourAgo));
            // The profile's events follow the profile's event rule: those tracked after its device
            // joined it, and those the device brought when it joined (relabelled by the merge).
            assertThat(rows(
                            lethe,
                            "select rule_kind, anchor_at from events where account_id = ? and subject_id = ?",
                            a.id(),
                            profile))
                    .containsExactly(row("event", now), row("event", now));
            assertThat(rows(
                            lethe,
                            "select rule_kind, anchor_at from goal_hits where account_id = ? and subject_id = ?"
                                    + " and rule_kind = 'anonymous_event'",
                            a.id(),
                            profile))
                    .isEmpty();
            assertThat(rows(
                            lethe,
                            "select rule_kind, anchor_at from personal_values where account_id = ?"
                                    + " and record_kind = 'session_summary' and subject_id <> ?",
                            a.id(),
                            profile))
                    .containsOnly(row("session_summary", anHourAgo));
            assertThat(rows(
                            lethe,
                            "select rule_kind, anchor_at from personal_values where account_id = ?"
                                    + " and field = 'identifiers.email'",
                            a.id()))
                    .containsOnly(row("profile", now));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIdentifierSeenAgainIsCollectedAgainAndATagKnowsItsCategoryAndCollection(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = account(lethe, "web-personalisation.yaml");
            Instant first = lethe.clock().instant();
            // the example's email is consent-based: it is given first from a device that agreed
            Consenting.consentToEverything(lethe.http(), a.adminKey(), "desk-1", first);
            String profile = lethe.http()
                    .post(
                            "/v1/identify",
                            a.adminKey(),
                            "{\"visitorId\": \"desk-1\", \"identifiers\": {\"email\": \"xavier@example.org\"}}")
                    .json()
                    .get("profileId")
                    .asText();
            lethe.clock().advance(Duration.ofDays(10));
            Instant again = lethe.clock().instant();
            lethe.http().post("/v1/identify", a.adminKey(), "{\"identifiers\": {\"email\": \"xavier@example.org\"}}");
            var tagged = lethe.http().post("/v1/profiles/" + profile + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}");
            assertThat(tagged.status()).as(tagged.toString()).isEqualTo(200);

            assertThat(rows(
                            lethe,
                            "select kind, collected_at from identifiers where account_id = ? and kind = 'email'",
                            a.id()))
                    .containsExactly(row("email", again));
            assertThat(rows(lethe, "select category, collected_at from profile_tags where account_id = ?", a.id()))
                    .containsExactly(row("tags", again));
            assertThat(first).isBefore(again);
        }
    }

    private static void send(TestLethe lethe, TestLethe.Tenant a, String conversation, Instant ts, String content) {
        var r = lethe.http().post("/v1/messages", a.adminKey(), """
                {"messages": [
                  {"subject": {"phone": "+32 471 23 45 67"}, "channel": "chat", "product": "conversations",
                   "direction": "inbound", "conversationId": "%s", "ts": "%s", "content": "%s",
                   "traffic": {"from": "+32471234567"}}
                ]}
                """.formatted(conversation, ts, content));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
    }

    private static void track(TestLethe lethe, TestLethe.Tenant a, String visitor, Instant ts) {
        var r = lethe.http().post("/v1/track", a.adminKey(), """
                {"events": [{"visitorId": "%s", "type": "signup", "ts": "%s",
                             "context": {"url": "https://shop.example/welcome", "referrer": "https://news.example/"}}]}
                """.formatted(visitor, ts));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
    }

    static TestLethe.Tenant account(TestLethe lethe, String example) throws IOException {
        var a = lethe.createAccount("Quokka Expiry");
        var put = lethe.http().putYaml("/v1/policy", a.adminKey(), Files.readString(Path.of("examples", example)));
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        return a;
    }

    /** The values of messages (a person a message made also holds its identifier, under the profile's rule). */
    private static List<String> values(TestLethe lethe, String accountId) {
        return rows(
                lethe,
                "select field, record_kind, rule_kind, anchor_at from personal_values where account_id = ?"
                        + " and record_kind <> 'profile'",
                accountId);
    }

    private static String row(Object... cells) {
        var out = new ArrayList<String>();
        for (Object c : cells) out.add(String.valueOf(c));
        return String.join(" | ", out);
    }

    /** Each row as "a | b | …", timestamps as instants, read with a plain connection. */
    static List<String> rows(TestLethe lethe, String sql, Object... parameters) {
        try (var c = DriverManager.getConnection(lethe.jdbcUrl());
                var s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) s.setObject(i + 1, parameters[i]);
            var out = new ArrayList<String>();
            try (var rs = s.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    var cells = new ArrayList<Object>();
                    for (int i = 1; i <= columns; i++) {
                        Object o = rs.getObject(i);
                        cells.add(
                                o instanceof java.sql.Timestamp || o instanceof OffsetDateTime
                                        ? rs.getObject(i, OffsetDateTime.class).toInstant()
                                        : o);
                    }
                    out.add(row(cells.toArray()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not run '" + sql + "'", e);
        }
    }
}
