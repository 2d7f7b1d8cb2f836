package dev.lethe.profiles;

import static dev.lethe.profiles.ProfileListApiTest.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileFilterApiTest {

    static final String TIER =
            "{\"key\": \"tier\", \"displayName\": \"Loyalty tier\", \"category\": \"visit_history\", \"filterable\": true}";
    static final String WIDTH = "{\"key\": \"shoe_width\", \"category\": \"visit_history\", \"type\": \"number\"}";

    /**
     * Zebulon (gold, pro purchase, visits on each of the last ten days: high engagement), Yolanda
     * (Gold, seen 60 days ago without visits: none), Xavier (silver, one visit 45 days ago: low).
     */
    record People(String zebulon, String yolanda, String xavier) {}

    static People seed(TestLethe lethe, String key) {
        var http = lethe.http();
        http.putYaml("/v1/policy", key, TestPolicies.DATA_CORE);
        assertThat(http.post("/v1/fields", key, TIER).status()).isEqualTo(201);
        assertThat(http.post("/v1/fields", key, WIDTH).status()).isEqualTo(201);
        assertThat(http.post("/v1/goals", key, """
                {"name": "Pro purchase", "eventType": "purchase", "match": {"plan": "pro"}}
                """).status()).isEqualTo(201);
        Instant now = lethe.clock().instant();
        var events = new ArrayList<String>();
        for (int day = 0; day < 10; day++) {
            events.add("{\"visitorId\": \"laptop-z\", \"type\": \"page_view\", \"ts\": \""
                    + now.minus(Duration.ofDays(day)).minusSeconds(60) + "\"}");
        }
        events.add("{\"visitorId\": \"laptop-z\", \"type\": \"purchase\", \"ts\": \"" + now.minusSeconds(30)
                + "\", \"properties\": {\"plan\": \"pro\"}}");
        events.add("{\"visitorId\": \"phone-x\", \"type\": \"purchase\", \"ts\": \"" + now.minus(Duration.ofDays(45))
                + "\", \"properties\": {\"plan\": \"basic\"}}");
        var tracked = http.post("/v1/track", key, "{\"events\": [" + String.join(",", events) + "]}");
        assertThat(tracked.json().get("accepted").asInt())
                .as(tracked.toString())
                .isEqualTo(12);
        return new People(
                identify(lethe, key, "laptop-z", "zebulon@example.org", "gold", now),
                identify(lethe, key, null, "yolanda@example.org", " Gold ", now.minus(Duration.ofDays(60))),
                identify(lethe, key, "phone-x", "xavier@example.org", "silver", now.minus(Duration.ofDays(45))));
    }

    static String identify(TestLethe lethe, String key, String visitor, String email, String tier, Instant ts) {
        var r = lethe.http()
                .post(
                        "/v1/identify",
                        key,
                        "{" + (visitor == null ? "" : "\"visitorId\": \"" + visitor + "\", ")
                                + "\"identifiers\": {\"email\": \"" + email + "\"}, \"traits\": {\"tier\": \"" + tier
                                + "\", \"shoe_width\": \"7\"}, \"ts\": \"" + ts + "\"}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("profileId").asText();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void profilesAreFilteredByGoalEngagementAndFilterableFieldValues(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            var p = seed(lethe, a.adminKey());

            assertThat(ids(http.get("/v1/profiles?goal=Pro%20purchase", a.adminKey())
                            .json()))
                    .containsExactly(p.zebulon());
            assertThat(ids(http.get("/v1/profiles?engagement=high", a.adminKey())
                            .json()))
                    .containsExactly(p.zebulon());
            assertThat(ids(http.get("/v1/profiles?engagement=low", a.adminKey()).json()))
                    .containsExactly(p.xavier());
            assertThat(ids(http.get("/v1/profiles?engagement=none", a.adminKey())
                            .json()))
                    .containsExactly(p.yolanda());
            assertThat(ids(http.get("/v1/profiles?field.tier=GOLD", a.adminKey())
                            .json()))
                    .as("text values match trimmed and case-insensitively")
                    .containsExactly(p.zebulon(), p.yolanda());
            assertThat(ids(http.get("/v1/profiles?field.tier=gold&engagement=none", a.adminKey())
                            .json()))
                    .containsExactly(p.yolanda());

            // the latest value stands: a later one replaces it, an older one does not
            lethe.clock().advance(Duration.ofMinutes(1));
            identify(
                    lethe,
                    a.adminKey(),
                    null,
                    "zebulon@example.org",
                    "silver",
                    lethe.clock().instant());
            identify(
                    lethe,
                    a.adminKey(),
                    null,
                    "xavier@example.org",
                    "platinum",
                    lethe.clock().instant().minus(Duration.ofDays(100)));
            assertThat(ids(http.get("/v1/profiles?field.tier=silver", a.adminKey())
                            .json()))
                    .containsExactly(p.zebulon(), p.xavier());
            assertThat(ids(http.get("/v1/profiles?field.tier=platinum", a.adminKey())
                            .json()))
                    .isEmpty();

            var seg = http.post("/v1/segments", a.adminKey(), """
                    {"name": "Engaged silver buyers",
                     "filter": {"goal": "Pro purchase", "engagement": "high", "fields": {"tier": "silver"}}}
                    """);
            assertThat(seg.status()).as(seg.toString()).isEqualTo(201);
            assertThat(ids(http.get("/v1/profiles?segment=Engaged%20silver%20buyers", a.adminKey())
                            .json()))
                    .containsExactly(p.zebulon());
            assertThat(http.get("/v1/segments", a.adminKey())
                            .json()
                            .at("/segments/0/filter/fields/tier")
                            .asText())
                    .isEqualTo("silver");

            var shown = http.get(
                            "/v1/profiles?engagement=high&columns=id,visits,engagement,field.tier,field.shoe_width",
                            a.adminKey())
                    .json();
            assertThat(shown.at("/profiles/0/id").asText()).isEqualTo(p.zebulon());
            assertThat(shown.at("/profiles/0/visits").asInt()).isEqualTo(10);
            assertThat(shown.at("/profiles/0/engagement/level").asText()).isEqualTo("high");
            assertThat(shown.at("/profiles/0/field.tier").asText()).isEqualTo("silver");
            assertThat(shown.at("/profiles/0/field.shoe_width").asText()).isEqualTo("7");
            assertThat(lethe.count(
                            "select count(*) from audit_log where account_id = ? and action = 'profile.list'", a.id()))
                    .as("showing decrypted field values is audited")
                    .isEqualTo(1);
            assertThat(http.get("/v1/profiles?columns=id,field.nope", a.adminKey())
                            .status())
                    .isEqualTo(400);

            var cells = RawStorage.cells(lethe.jdbcUrl());
            assertThat(cells)
                    .as("tier values are kept only sealed and as blind indexes")
                    .noneMatch(c -> c.table().equals("field_values")
                            && c.text().toLowerCase(java.util.Locale.ROOT).contains("silver"));
            assertThat(lethe.count("select count(*) from field_values where account_id = ?", a.id()))
                    .isEqualTo(3);

            var b = lethe.createAccount("Wombat");
            http.putYaml("/v1/policy", b.adminKey(), TestPolicies.DATA_CORE);
            assertThat(http.get("/v1/profiles?goal=Pro%20purchase", b.adminKey())
                            .status())
                    .as("another account's goal is unknown here")
                    .isEqualTo(400);
            assertThat(http.get("/v1/profiles?field.tier=silver", b.adminKey()).status())
                    .isEqualTo(400);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void badFiltersAreNamedAndASegmentCannotFilterOnAFieldThatIsNotFilterable(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            seed(lethe, a.adminKey());

            var bad = http.get(
                    "/v1/profiles?field.shoe_width=7&field.nope=1&goal=Nope&engagement=extreme&cursor=abc",
                    a.adminKey());
            assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
            assertThat(paths(bad.json()))
                    .containsExactlyInAnyOrder("field.shoe_width", "field.nope", "goal", "engagement", "cursor");
            assertThat(bad.json().toString()).contains("not filterable");
            assertThat(http.get("/v1/profiles?field.tier=", a.adminKey()).status())
                    .isEqualTo(200);

            var notFilterable = http.post("/v1/segments", a.adminKey(), """
                    {"name": "Narrow feet", "filter": {"fields": {"shoe_width": "7"}, "engagement": 3}}
                    """);
            assertThat(notFilterable.status()).isEqualTo(422);
            assertThat(paths(notFilterable.json())).containsExactly("filter.engagement");
            var unknownGoal = http.post("/v1/segments", a.adminKey(), """
                    {"name": "Narrow feet", "filter": {"fields": {"shoe_width": "7"}, "goal": "Nope"}}
                    """);
            assertThat(unknownGoal.status()).isEqualTo(422);
            assertThat(paths(unknownGoal.json())).containsExactlyInAnyOrder("filter.fields.shoe_width", "filter.goal");
            assertThat(http.get("/v1/segments", a.adminKey()).json().get("segments"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCursorKeepsItsPlaceWhileNewProfilesArriveInEveryOrder(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            var all = new ArrayList<String>();
            for (int i = 0; i < 5; i++) {
                all.add(ProfileListApiTest.identify(
                        lethe,
                        a.adminKey(),
                        "p" + i + "@example.org",
                        null,
                        lethe.clock().instant().minus(Duration.ofDays(10 - i)).toString()));
            }
            for (String sort : List.of("lastVisit", "firstVisit", "visits")) {
                var first = http.get("/v1/profiles?limit=2&sort=" + sort, a.adminKey())
                        .json();
                // a newcomer, newest by last visit and (by id order) anywhere among equal visit counts
                ProfileListApiTest.identify(
                        lethe,
                        a.adminKey(),
                        "new-" + sort + "@example.org",
                        null,
                        lethe.clock().instant().toString());
                var seen = new ArrayList<>(ids(first));
                String next = first.get("nextCursor").asText();
                while (next != null) {
                    var page = http.get("/v1/profiles?limit=2&sort=" + sort + "&cursor=" + next, a.adminKey());
                    assertThat(page.status()).as(page.toString()).isEqualTo(200);
                    seen.addAll(ids(page.json()));
                    next = page.json().get("nextCursor").isNull()
                            ? null
                            : page.json().get("nextCursor").asText();
                }
                assertThat(seen).as(sort).doesNotHaveDuplicates().containsAll(all);
            }
            String lastVisitCursor = http.get("/v1/profiles?limit=1", a.adminKey())
                    .json()
                    .get("nextCursor")
                    .asText();
            var mixed = http.get("/v1/profiles?sort=visits&cursor=" + lastVisitCursor, a.adminKey());
            assertThat(mixed.status()).isEqualTo(400);
            assertThat(paths(mixed.json())).containsExactly("cursor");
        }
    }

    static List<String> paths(com.fasterxml.jackson.databind.JsonNode problem) {
        var out = new ArrayList<String>();
        problem.get("errors").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }
}
