package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * POST /v1/track: each event is stored or refused on its own, with the path of every error; values
 * without a category, of a switched-off category or already past their retention are not stored.
 */
class TrackApiTest {

    static TestLethe.Tenant shop(TestLethe lethe, String policy) {
        var a = lethe.createAccount("Quokka Shop");
        var r = lethe.http().putYaml("/v1/policy", a.adminKey(), policy);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return a;
    }

    static long rows(TestLethe lethe, TestLethe.Tenant a, String table) {
        return lethe.count("select count(*) from " + table + " where account_id = ?", a.id());
    }

    static long valuesOf(TestLethe lethe, TestLethe.Tenant a, String field) {
        return lethe.count("select count(*) from personal_values where account_id = ? and field = ?", a.id(), field);
    }

    static List<String> errorPaths(JsonNode rejected) {
        var out = new ArrayList<String>();
        rejected.forEach(r -> r.get("errors").forEach(e -> out.add(e.get("path").asText())));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEventWithAnUnmappedPropertyIsRejectedWithItsPathWhileTheRestOfTheBatchIsStored(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.DATA_CORE);

            var r = lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "context": {"url": "https://shop.example/"}},
                      {"visitorId": "laptop-1", "type": "page_view", "properties": {"color": "teal"}},
                      {"visitorId": "laptop-1", "type": "signup", "properties": {"plan": "gold"}},
                      {"visitorId": "phone-1", "type": "page_view", "context": {"ip": "203.0.113.77"}}
                    ]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            var body = r.json();
            assertThat(body.get("accepted").asInt()).isEqualTo(3);
            assertThat(body.get("rejected")).hasSize(1);
            var rejected = body.get("rejected").get(0);
            assertThat(rejected.get("index").asInt()).isEqualTo(1);
            assertThat(rejected.get("errors")).hasSize(1);
            assertThat(rejected.get("errors").get(0).get("path").asText()).isEqualTo("events[1].properties.color");
            assertThat(rejected.get("errors").get(0).get("message").asText()).contains("no category");
            assertThat(rows(lethe, a, "events")).isEqualTo(3);
            assertThat(lethe.strings("select type from events where account_id = ? order by occurred_at", a.id()))
                    .containsExactlyInAnyOrder("page_view", "signup", "page_view");
            assertThat(valuesOf(lethe, a, "properties.color")).isZero();
            assertThat(valuesOf(lethe, a, "properties.plan")).isEqualTo(1);
            assertThat(valuesOf(lethe, a, "context.ip")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBatchOfMoreThanAThousandEventsIsRefusedWholeNamingEvents(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.DATA_CORE);
            var events = new ArrayList<String>();
            for (int i = 0; i < TrackService.MAX_BATCH + 1; i++) {
                events.add("{\"visitorId\": \"laptop-1\", \"type\": \"page_view\"}");
            }

            var r = lethe.http().post("/v1/track", a.adminKey(), "{\"events\": [" + String.join(",", events) + "]}");

            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("errors"))
                    .extracting(e -> e.get("path").asText())
                    .containsExactly("events");
            assertThat(r.json().get("errors").get(0).get("message").asText()).contains("1000");
            assertThat(rows(lethe, a, "events")).isZero();
            assertThat(rows(lethe, a, "subjects")).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aNestedPropertyIsRejectedNamingItsPath(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.DATA_CORE);

            var r = lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view"},
                      {"visitorId": "laptop-1", "type": "signup", "properties": {"plan": {"name": "gold"}}}
                    ]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
            assertThat(r.json().get("rejected"))
                    .extracting(x -> x.get("index").asInt())
                    .containsExactly(1);
            assertThat(errorPaths(r.json().get("rejected"))).containsExactly("events[1].properties.plan");
            assertThat(r.json()
                            .get("rejected")
                            .get(0)
                            .get("errors")
                            .get(0)
                            .get("message")
                            .asText())
                    .contains("nested");
            assertThat(lethe.strings("select type from events where account_id = ?", a.id()))
                    .containsExactly("page_view");
            assertThat(valuesOf(lethe, a, "properties.plan")).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aValueOfASwitchedOffOptionalCategoryIsDroppedCountedAndNotStored(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.DATA_CORE);

            var r = lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view",
                      "properties": {"shoeSize": "44"}, "context": {"ip": "203.0.113.77"}}]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
            assertThat(r.json().get("dropped").asInt()).isEqualTo(1);
            assertThat(r.json().get("rejected")).isEmpty();
            assertThat(rows(lethe, a, "events")).isEqualTo(1);
            assertThat(valuesOf(lethe, a, "properties.shoeSize")).isZero();
            assertThat(lethe.strings("select category from personal_values where account_id = ?", a.id()))
                    .containsExactly("ip_address");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIngestKeyTracksAndIdentifiesButCannotReadProfiles(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.DATA_CORE);
            var created = lethe.http().post("/v1/keys", a.adminKey(), "{\"scopes\": [\"ingest\"]}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String ingestKey = created.json().get("key").asText();

            var tracked = lethe.http().post("/v1/track", ingestKey, """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}]}
                    """);
            var identified = lethe.http().post("/v1/identify", ingestKey, """
                    {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                    """);
            var list = lethe.http().get("/v1/profiles", ingestKey);
            String profileId = lethe.http()
                    .get("/v1/profiles?email=zebulon%40example.org", a.adminKey())
                    .json()
                    .at("/profiles/0/id")
                    .asText();
            var one = lethe.http().get("/v1/profiles/" + profileId, ingestKey);

            assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
            assertThat(tracked.json().get("accepted").asInt()).isEqualTo(1);
            assertThat(identified.status()).as(identified.toString()).isEqualTo(202);
            assertThat(profileId).isNotBlank();
            assertThat(list.status()).as(list.toString()).isEqualTo(403);
            assertThat(one.status()).as(one.toString()).isEqualTo(403);
            assertThat(one.contentType()).startsWith("application/problem+json");
            assertThat(one.body().toLowerCase(Locale.ROOT)).doesNotContain("zebulon");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPolicyWithoutAnEventRecordRejectsEveryEventSayingWhy(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.SMALL);

            var r = lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "context": {"ip": "203.0.113.77"}},
                      {"visitorId": "phone-1", "type": "page_view"}
                    ]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isZero();
            assertThat(r.json().get("rejected"))
                    .extracting(x -> x.get("index").asInt())
                    .containsExactly(0, 1);
            for (var rejected : r.json().get("rejected")) {
                assertThat(rejected.get("errors")).hasSize(1);
                var error = rejected.get("errors").get(0);
                assertThat(error.get("path").asText())
                        .isEqualTo("events[" + rejected.get("index").asInt() + "]");
                assertThat(error.get("message").asText()).contains("no record of kind 'event'");
            }
            assertThat(rows(lethe, a, "events")).isZero();
            assertThat(rows(lethe, a, "subjects")).isZero();
            assertThat(rows(lethe, a, "personal_values")).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEventOlderThanItsRecordsRetentionComesBackExpiredAndIsNotStored(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.DATA_CORE);
            var now = lethe.clock().instant();

            var r = lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%s",
                       "context": {"url": "https://shop.example/1990s"}},
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%s",
                       "context": {"ip": "203.0.113.77", "url": "https://shop.example/summer"}},
                      {"visitorId": "laptop-1", "type": "page_view"}
                    ]}
                    """.formatted(
                            now.minus(Duration.ofDays(3 * 366)), now.minus(Duration.ofDays(200))));

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            var body = r.json();
            // Event 0 is past the event record's 2 years (its url too, past 1 year); event 1 is
            // kept, but its IP address is past its 120 days.
            assertThat(body.get("expired"))
                    .extracting(
                            e -> e.get("index").asInt() + ":" + e.get("field").asText())
                    .containsExactlyInAnyOrder("0:context.url", "0:event", "1:context.ip");
            assertThat(body.get("accepted").asInt()).isEqualTo(2);
            assertThat(body.get("rejected")).isEmpty();
            assertThat(rows(lethe, a, "events")).isEqualTo(2);
            assertThat(valuesOf(lethe, a, "context.ip")).isZero();
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and field = 'context.url'"
                                    + " and record_kind = 'event'",
                            a.id()))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEventArrivingLateButBeforeItsVisitsStartMovesTheStartAndLaterEventsStillJoinTheVisit(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe, TestPolicies.DATA_CORE);
            var start = lethe.clock().instant();
            String event =
                    "{\"events\": [{\"visitorId\": \"wombat-tablet\", \"type\": \"page_view\", \"ts\": \"%s\"}]}";

            lethe.http().post("/v1/track", a.adminKey(), event.formatted(start));
            lethe.http().post("/v1/track", a.adminKey(), event.formatted(start.minus(Duration.ofMinutes(10))));
            lethe.clock().advance(Duration.ofMinutes(5));
            var r = lethe.http().post("/v1/track", a.adminKey(), event.formatted(start.plus(Duration.ofMinutes(5))));

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(rows(lethe, a, "sessions")).isEqualTo(1);
            assertThat(lethe.count(
                            "select count(*) from sessions where account_id = ? and started_at = ? and last_event_at = ?"
                                    + " and event_count = 3",
                            a.id(),
                            java.time.OffsetDateTime.ofInstant(
                                    start.minus(Duration.ofMinutes(10)), java.time.ZoneOffset.UTC),
                            java.time.OffsetDateTime.ofInstant(
                                    start.plus(Duration.ofMinutes(5)), java.time.ZoneOffset.UTC)))
                    .isEqualTo(1);
        }
    }
}
