package dev.lethe.subjects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.retention.LegalHolds;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Removing a data subject takes everything it holds from every table {@link SubjectTable} lists —
 * what a retention rule that removes a person does, and what an erasure will do before its receipt
 * — keeps what a legal hold keeps, and touches no one else.
 */
class SubjectRemovalTest {

    /**
     * The data core's policy with messages (their content sealed) and tags: a person can then have
     * rows in every table that refers to a subject.
     */
    static final String POLICY = TestPolicies.DATA_CORE
            .replace("  ip_address:\n", """
                      message_content:
                        purpose: contact
                        lawfulBasis: contract
                        source: api
                        subjects: [visitor, profile]
                        retention: { period: P6M, after: collected }
                      ip_address:
                    """)
            .replace(
                    "  traits.name: name\n",
                    "  traits.name: name\n  traits.birthDate: name\n  traits.tags: visit_history\n"
                            + "  message.content: message_content\n")
            .replace("records:\n", "records:\n  message: { kind: message, retention: { period: P6M } }\n");

    private static final String ZEBULON = "zebulon@example.org";
    private static final String YOLANDA = "yolanda@example.org";

    /** An account with a filterable custom field and a goal, and two people in it. */
    record World(TestLethe.Tenant account, String zebulon, String yolanda) {}

    static World seed(TestLethe lethe) {
        var a = lethe.createAccount("Quokka");
        var http = lethe.http();
        var put = http.putYaml("/v1/policy", a.adminKey(), POLICY);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        var field = http.post("/v1/fields", a.adminKey(), """
                {"key": "tier", "displayName": "Loyalty tier", "category": "visit_history", "filterable": true}
                """);
        assertThat(field.status()).as(field.toString()).isEqualTo(201);
        var goal = http.post("/v1/goals", a.adminKey(), """
                {"name": "Pro purchase", "eventType": "purchase", "match": {"plan": "pro"}}
                """);
        assertThat(goal.status()).as(goal.toString()).isEqualTo(201);
        var privacy = http.post("/v1/privacy-policies", a.adminKey(), """
                {"version": "v1", "url": "https://shop.example/privacy", "publishedAt": "2020-01-01T00:00:00Z"}
                """);
        assertThat(privacy.status()).as(privacy.toString()).isEqualTo(201);
        var world = new World(
                a,
                person(lethe, a.adminKey(), "laptop-z", ZEBULON, "gold", "zebulon-club", "Zebulon Quux"),
                person(lethe, a.adminKey(), "phone-y", YOLANDA, "silver", "yolanda-club", "Yolanda Quux"));
        exported(lethe, a.adminKey());
        return world;
    }

    /** An export of everyone, completed and not downloaded: both people are in its file. */
    static void exported(TestLethe lethe, String key) {
        var export = lethe.http().post("/v1/exports", key, "{\"columns\": [\"id\"]}");
        assertThat(export.status()).as(export.toString()).isEqualTo(202);
        String job = export.json().get("id").asText();
        var deadline = java.time.Instant.now().plusSeconds(30);
        while (!lethe.http()
                .get("/v1/jobs/" + job, key)
                .json()
                .get("state")
                .asText()
                .equals("completed")) {
            assertThat(java.time.Instant.now()).as("the export to complete").isBefore(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A person who visited (a session whose purchase achieved the goal), identified with an email,
     * a name, a filterable tier and a birth date that makes them a minor, was tagged, got a message
     * in a conversation, gave a consent and made a request.
     */
    static String person(
            TestLethe lethe, String key, String visitor, String email, String tier, String tag, String name) {
        var http = lethe.http();
        var track = http.post("/v1/track", key, """
                {"events": [
                  {"visitorId": "%1$s", "sessionId": "visit-%1$s", "type": "page_view",
                   "context": {"ip": "198.51.100.7", "url": "https://shop.example/%1$s"}},
                  {"visitorId": "%1$s", "sessionId": "visit-%1$s", "type": "purchase", "properties": {"plan": "pro"}}
                ]}
                """.formatted(visitor));
        assertThat(track.json().get("accepted").asInt()).as(track.toString()).isEqualTo(2);
        var identify = http.post("/v1/identify", key, """
                {"visitorId": "%s", "identifiers": {"email": "%s"},
                 "traits": {"tier": "%s", "name": "%s", "birthDate": "2015-06-01"}}
                """.formatted(visitor, email, tier, name));
        assertThat(identify.status()).as(identify.toString()).isIn(200, 201);
        String profile = identify.json().get("profileId").asText();
        var tags = http.post("/v1/profiles/" + profile + "/tags", key, "{\"add\": [\"" + tag + "\"]}");
        assertThat(tags.status()).as(tags.toString()).isEqualTo(200);
        var message = http.post("/v1/messages", key, """
                {"messages": [{"subject": {"profileId": "%s"}, "channel": "email", "direction": "outbound",
                  "conversationId": "conv-%s", "content": "Your order ships today"}]}
                """.formatted(profile, visitor));
        assertThat(message.json().get("accepted").asInt())
                .as(message.toString())
                .isEqualTo(1);
        String account = lethe.lethe().accounts().authenticate(key, null).accountId();
        lethe.lethe()
                .database()
                .jdbi()
                .useTransaction(h -> lethe.lethe()
                        .outbox()
                        .enqueue(
                                h,
                                account,
                                java.util.Optional.of(profile),
                                dev.lethe.outbox.OutboxMessage.email(
                                        email, "Your order", "It ships today", "request-update")));
        var consent = http.post("/v1/consents", key, """
                {"subject": {"profileId": "%s"}, "policyVersion": "v1", "purposes": {"targeting": true},
                 "source": "banner"}
                """.formatted(profile));
        assertThat(consent.status()).as(consent.toString()).isEqualTo(201);
        var request = http.post("/v1/requests", key, """
                {"type": "rectification", "subject": {"profileId": "%s"}}
                """.formatted(profile));
        assertThat(request.status()).as(request.toString()).isEqualTo(201);
        return profile;
    }

    /** Rows of each registered table that refer to the subject, read raw. */
    static Map<SubjectTable, Long> rows(TestLethe lethe, String accountId, String subjectId) {
        var out = new EnumMap<SubjectTable, Long>(SubjectTable.class);
        for (var table : SubjectTable.values()) {
            out.put(
                    table,
                    lethe.count(
                            "select count(*) from " + table.table() + " where account_id = ? and subject_id = ?",
                            accountId,
                            subjectId));
        }
        return out;
    }

    /** The blind indexes that find the subject (identifiers, tags, field values, visits, conversations). */
    static List<String> blindIndexes(TestLethe lethe, String subjectId) {
        var out = new ArrayList<String>();
        for (String sql : List.of(
                "select blind_index from identifiers where subject_id = ?",
                "select tag_index from profile_tags where subject_id = ?",
                "select value_index from field_values where subject_id = ?",
                "select conversation_key from conversations where subject_id = ?",
                "select session_key from sessions where subject_id = ?",
                "select visitor_index from sessions where subject_id = ?")) {
            out.addAll(lethe.strings(sql, subjectId));
        }
        return out;
    }

    static Removal remove(TestLethe lethe, String accountId, String subjectId, Map<String, String> holdByCategory) {
        var store = new JdbcSubjectStore();
        var removal = new SubjectRemoval(store, lethe.lethe().keyring());
        return lethe.lethe().database().jdbi().inTransaction(h -> {
            store.lock(h, accountId, List.of(subjectId));
            return removal.remove(h, accountId, subjectId, holdByCategory);
        });
    }

    static Caller admin(TestLethe.Tenant a) {
        return new Caller(a.id(), TestLethe.keyIdOf(a.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRemovedPersonLeavesNoRowInAnyTableButTheirLegalHoldsAndTheNeighbourKeepsEverything(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var w = seed(lethe);
            String account = w.account().id();
            // a hold on Zebulon, released since: its row is the record of why data was once kept
            var hold = lethe.lethe()
                    .legalHolds()
                    .place(
                            admin(w.account()),
                            new LegalHolds.Placement(w.zebulon(), null, null, "Invoice 2026-117 unpaid", null));
            lethe.lethe().legalHolds().release(admin(w.account()), hold.holdId());
            var before = rows(lethe, account, w.zebulon());
            assertThat(before)
                    .as("the person has rows in every table that refers to a subject (but the erasure record)")
                    .allSatisfy((table, n) -> assertThat(n)
                            .as(table.table())
                            .isEqualTo(table == SubjectTable.ERASURES ? 0 : Math.max(1, n)));
            var neighbourBefore = rows(lethe, account, w.yolanda());
            var indexes = blindIndexes(lethe, w.zebulon());
            var dailyCounts = lethe.count("select count(*) from daily_counts where account_id = ?", account);
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .as("the person's blind indexes are in raw storage before")
                    .anySatisfy(c -> assertThat(indexes).contains(c.text()));

            var removal = remove(lethe, account, w.zebulon(), Map.of());

            assertThat(removal.subjectId()).isEqualTo(w.zebulon());
            assertThat(removal.keyDestroyed()).isTrue();
            assertThat(removal.keptByHold()).isEmpty();
            assertThat(removal.deleted().keySet()).containsExactly(SubjectTable.values());
            var after = rows(lethe, account, w.zebulon());
            for (var table : SubjectTable.values()) {
                boolean kept = table.keptOnErasureBecause().isPresent();
                assertThat(after.get(table))
                        .as(table.table() + " rows of the person after")
                        .isEqualTo(kept ? before.get(table) : 0L);
                assertThat(removal.deleted().get(table).longValue())
                        .as(table.table() + " rows reported deleted")
                        .isEqualTo(kept ? 0L : before.get(table));
            }
            assertThat(rows(lethe, account, w.yolanda())).isEqualTo(neighbourBefore);
            assertThat(lethe.count("select count(*) from daily_counts where account_id = ?", account))
                    .as("anonymous daily counts are not the person's")
                    .isEqualTo(dailyCounts);
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .filteredOn(c -> c.text().contains(ZEBULON) || indexes.contains(c.text()))
                    .isEmpty();
            // the neighbour is still found and read as before
            var yolanda =
                    lethe.http().get("/v1/profiles/" + w.yolanda(), w.account().adminKey());
            assertThat(yolanda.json().at("/contact/email").asText()).isEqualTo(YOLANDA);
            assertThat(lethe.http()
                            .get("/v1/profiles/" + w.zebulon(), w.account().adminKey())
                            .status())
                    .isEqualTo(404);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aHeldCategoryKeepsItsValuesWhichStillOpenWhileEverythingElseOfThePersonIsGone(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var w = seed(lethe);
            String account = w.account().id();
            var hold = lethe.lethe()
                    .legalHolds()
                    .place(
                            admin(w.account()),
                            new LegalHolds.Placement(null, "email_address", null, "Dispute 42", null));
            var heldValues = lethe.strings(
                    "select value_id from personal_values where subject_id = ? and category = 'email_address'",
                    w.zebulon());
            assertThat(heldValues).isNotEmpty();
            long otherValues = lethe.count(
                    "select count(*) from personal_values where subject_id = ? and category <> 'email_address'",
                    w.zebulon());
            assertThat(otherValues).isPositive();
            var before = rows(lethe, account, w.zebulon());

            var removal = remove(lethe, account, w.zebulon(), Map.of("email_address", hold.holdId()));

            assertThat(removal.keptByHold()).containsExactly(Map.entry(hold.holdId(), heldValues.size()));
            assertThat(removal.deleted().get(SubjectTable.PERSONAL_VALUES)).isEqualTo((int) otherValues);
            assertThat(removal.deleted().get(SubjectTable.SUBJECTS)).isEqualTo(1);
            assertThat(removal.deleted().get(SubjectTable.SUBJECT_KEYS).longValue())
                    .isEqualTo(before.get(SubjectTable.SUBJECT_KEYS));
            assertThat(lethe.strings("select value_id from personal_values where subject_id = ?", w.zebulon()))
                    .containsExactlyInAnyOrderElementsOf(heldValues);
            var after = rows(lethe, account, w.zebulon());
            for (var table : SubjectTable.values()) {
                if (table == SubjectTable.PERSONAL_VALUES
                        || table.keptOnErasureBecause().isPresent()) continue;
                assertThat(after.get(table)).as(table.table()).isZero();
            }
            var opened = lethe.lethe()
                    .database()
                    .jdbi()
                    .withHandle(h -> h.createQuery("""
                            select key_id, category, value_id, ciphertext from personal_values
                            where account_id = :account and subject_id = :subject
                            """)
                            .bind("account", account)
                            .bind("subject", w.zebulon())
                            .map((rs, ctx) -> new String(
                                    lethe.lethe()
                                            .keyring()
                                            .open(
                                                    h,
                                                    account,
                                                    rs.getString("key_id"),
                                                    rs.getString("category"),
                                                    rs.getString("value_id"),
                                                    rs.getBytes("ciphertext")),
                                    StandardCharsets.UTF_8))
                            .list());
            assertThat(opened).isNotEmpty().allSatisfy(v -> assertThat(v).isEqualTo(ZEBULON));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void removingAPersonAlreadyRemovedRemovesNothingAndDoesNotFail(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var w = seed(lethe);
            String account = w.account().id();
            var first = remove(lethe, account, w.zebulon(), Map.of());
            assertThat(first.total()).isPositive();
            var neighbour = rows(lethe, account, w.yolanda());

            var again = remove(lethe, account, w.zebulon(), Map.of());

            assertThat(again.subjectId()).isEqualTo(w.zebulon());
            assertThat(again.deleted().keySet()).containsExactly(SubjectTable.values());
            assertThat(again.deleted())
                    .allSatisfy((table, n) -> assertThat(n).as(table.table()).isZero());
            assertThat(again.keptByHold()).isEmpty();
            assertThat(again.keyDestroyed()).isFalse();
            assertThat(rows(lethe, account, w.yolanda())).isEqualTo(neighbour);
        }
    }
}
