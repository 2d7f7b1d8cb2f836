package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** POST /v1/identify: visitors become profiles, devices join, bad input changes nothing. */
class IdentifyApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aValueIsHeldOnlyAboutTheSubjectTypesItsCategoryNamesUnderThatTypesRetention(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            String policy = TestPolicies.DATA_CORE
                    .replace("  traits.name: name\n", "  traits.name: name\n  traits.screen: screen_size\n")
                    .replace(
                            "  ip_address:\n",
                            "  screen_size:\n"
                                    + "    purpose: measurement\n"
                                    + "    lawfulBasis: legitimate_interests\n"
                                    + "    source: tracking\n"
                                    + "    subjects: [visitor]\n"
                                    + "    retention: { period: P1Y, after: collected }\n"
                                    + "  ip_address:\n"
                                    + "    bySubject: { profile: { retention: { period: P10D, after: collected } } }\n");
            var put = http.putYaml("/v1/policy", a.adminKey(), policy);
            assertThat(put.status()).as(put.toString()).isIn(200, 201);

            var notAboutProfiles = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"screen": "1920x1080"}}
                    """);
            assertThat(notAboutProfiles.status()).isEqualTo(422);
            assertThat(notAboutProfiles.json().at("/errors/0/path").asText()).isEqualTo("traits.screen");
            assertThat(notAboutProfiles.json().at("/errors/0/message").asText())
                    .contains("not held about subject type 'profile'");

            var oldIp = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"lastIp": "203.0.113.7"},
                     "ts": "%s"}
                    """.formatted(
                            lethe.clock().instant().minus(Duration.ofDays(20))));
            assertThat(oldIp.status()).as(oldIp.toString()).isEqualTo(201);
            assertThat(oldIp.json().get("expired").toString())
                    .as("20 days exceeds the 10 days profiles' IP addresses are kept, though visitors' are kept 120")
                    .contains("traits.lastIp");
        }
    }

    static TestLethe.Tenant shop(TestLethe lethe) {
        var a = lethe.createAccount("Quokka Shop");
        var r = lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return a;
    }

    static void pageView(TestLethe lethe, TestLethe.Tenant a, String visitorId, String url) {
        var r = lethe.http().post("/v1/track", a.adminKey(), """
                {"events": [{"visitorId": "%s", "type": "page_view", "context": {"url": "%s"}}]}
                """.formatted(visitorId, url));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
    }

    static Http.Response identify(TestLethe lethe, TestLethe.Tenant a, String json) {
        return lethe.http().post("/v1/identify", a.adminKey(), json);
    }

    static JsonNode profile(TestLethe lethe, TestLethe.Tenant a, String profileId) {
        var r = lethe.http().get("/v1/profiles/" + profileId, a.adminKey());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static List<String> paths(Http.Response r) {
        var out = new ArrayList<String>();
        r.json().get("errors").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }

    /** Rows of the account in every table that holds subjects, identifiers, keys, values or activity. */
    static List<Long> storedRows(TestLethe lethe, TestLethe.Tenant a) {
        var out = new ArrayList<Long>();
        for (String table :
                List.of("subjects", "identifiers", "subject_keys", "personal_values", "events", "sessions")) {
            out.add(lethe.count("select count(*) from " + table + " where account_id = ?", a.id()));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void twoDevicesThatGiveTheSameEmailBecomeOneProfileWithBothDevicesVisits(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);
            pageView(lethe, a, "laptop-1", "https://shop.example/");
            lethe.clock().advance(Duration.ofMinutes(5));
            pageView(lethe, a, "laptop-1", "https://shop.example/shoes");
            lethe.clock().advance(Duration.ofHours(3));
            pageView(lethe, a, "phone-1", "https://shop.example/basket");
            var visitors = lethe.strings(
                    "select subject_id from subjects where account_id = ? and identified = false", a.id());
            assertThat(visitors).hasSize(2);

            var fromLaptop = identify(lethe, a, """
                    {"visitorId": "laptop-1", "identifiers": {"email": " Zebulon@Example.ORG "}}
                    """);
            var fromPhone = identify(lethe, a, """
                    {"visitorId": "phone-1", "identifiers": {"email": "zebulon@example.org"}}
                    """);

            assertThat(fromLaptop.status()).as(fromLaptop.toString()).isEqualTo(201);
            assertThat(fromPhone.status()).as(fromPhone.toString()).isEqualTo(200);
            String profileId = fromLaptop.json().get("profileId").asText();
            assertThat(fromPhone.json().get("profileId").asText()).isEqualTo(profileId);
            assertThat(fromLaptop.json().get("visitorJoined").asBoolean()).isTrue();
            assertThat(fromPhone.json().get("visitorJoined").asBoolean()).isTrue();

            var p = profile(lethe, a, profileId);
            assertThat(p.get("contact").get("email").asText()).isEqualTo("zebulon@example.org");
            assertThat(p.get("summary").get("devices").asInt()).isEqualTo(2);
            assertThat(p.get("summary").get("visits").asInt()).isEqualTo(2);
            assertThat(p.get("summary").get("events").asInt()).isEqualTo(3);
            assertThat(p.get("visits")).hasSize(2);
            assertThat(p.get("visits").get(0).get("events").asInt()).isEqualTo(2);
            assertThat(p.get("visits").get(0).get("pages").asInt()).isEqualTo(2);
            assertThat(p.get("visits").get(0).get("source").get("url").asText()).isEqualTo("https://shop.example/");
            assertThat(p.get("visits").get(1).get("events").asInt()).isEqualTo(1);
            assertThat(p.get("visits").get(1).get("source").get("url").asText())
                    .isEqualTo("https://shop.example/basket");

            // The anonymous visitors are gone: their rows, their keys, nothing of theirs is left.
            assertThat(lethe.strings("select subject_id from subjects where account_id = ?", a.id()))
                    .containsExactly(profileId);
            for (String visitor : visitors) {
                assertThat(lethe.count(
                                "select count(*) from subject_keys where account_id = ? and subject_id = ?",
                                a.id(),
                                visitor))
                        .as("key of " + visitor)
                        .isZero();
                for (String table : List.of("identifiers", "personal_values", "events", "sessions")) {
                    assertThat(lethe.count(
                                    "select count(*) from " + table + " where account_id = ? and subject_id = ?",
                                    a.id(),
                                    visitor))
                            .as(table + " of " + visitor)
                            .isZero();
                }
            }
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and subject_id = ?"
                                    + " and field = 'context.url' and record_kind = 'event'",
                            a.id(),
                            profileId))
                    .isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBadEmailIsRefusedWithItsPathAndNothingIsStored(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);

            var r = identify(lethe, a, """
                    {"visitorId": "laptop-1", "identifiers": {"email": "zebulon.example.org"},
                     "traits": {"name": "Zebulon Quux"}}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(paths(r)).containsExactly("identifiers.email");
            assertThat(storedRows(lethe, a)).containsOnly(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIdentificationWithoutAnyIdentifierIsRefused(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);

            var r = identify(lethe, a, """
                    {"visitorId": "laptop-1", "traits": {"name": "Zebulon Quux"}}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(paths(r)).containsExactly("identifiers");
            assertThat(storedRows(lethe, a)).containsOnly(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aTraitThePolicyDoesNotMapIsRefusedWithItsPathAndNothingIsStored(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);

            var r = identify(lethe, a, """
                    {"identifiers": {"email": "zebulon@example.org"},
                     "traits": {"name": "Zebulon Quux", "x": "favourite colour: teal"}}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(paths(r)).containsExactly("traits.x");
            assertThat(r.json().get("errors").get(0).get("message").asText()).contains("no category");
            assertThat(storedRows(lethe, a)).containsOnly(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aValueWhoseRetentionRanOutBeforeItArrivedComesBackAsExpiredAndIsNotStored(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);
            var longAgo = lethe.clock().instant().minus(Duration.ofDays(200));

            var r = identify(lethe, a, """
                    {"identifiers": {"email": "zebulon@example.org"},
                     "traits": {"lastIp": "203.0.113.77"}, "ts": "%s"}
                    """.formatted(longAgo));

            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            assertThat(r.json().get("expired")).extracting(JsonNode::asText).containsExactly("traits.lastIp");
            String profileId = r.json().get("profileId").asText();
            assertThat(lethe.strings(
                            "select field from personal_values where account_id = ? and subject_id = ?",
                            a.id(),
                            profileId))
                    .containsExactly("identifiers.email");
            assertThat(profile(lethe, a, profileId).get("traits").has("lastIp")).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIdentifierOfAnotherProfileIsReportedAsAConflictAndStaysWithThatProfile(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);
            String zebulon = identify(lethe, a, """
                            {"identifiers": {"email": "zebulon@example.org"}}
                            """).json().get("profileId").asText();
            String yolanda = identify(lethe, a, """
                            {"identifiers": {"email": "yolanda@example.org", "phone": "+32 471 23 45 67"}}
                            """).json().get("profileId").asText();
            assertThat(yolanda).isNotEqualTo(zebulon);

            var r = identify(lethe, a, """
                    {"identifiers": {"email": "zebulon@example.org", "phone": "+32471234567"}}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().get("profileId").asText()).isEqualTo(zebulon);
            assertThat(r.json().get("conflicts")).extracting(JsonNode::asText).containsExactly("phone");
            var byPhone = identify(lethe, a, """
                    {"identifiers": {"phone": "+32 471 23 45 67"}}
                    """);
            assertThat(byPhone.json().get("profileId").asText()).isEqualTo(yolanda);
            assertThat(profile(lethe, a, zebulon).get("contact").has("phone"))
                    .as("the phone of another profile is not copied onto this one")
                    .isFalse();
            assertThat(profile(lethe, a, yolanda).get("contact").get("phone").asText())
                    .isEqualTo("+32471234567");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eventsTenMinutesApartAreOneVisitAndAPauseOfThirtyOneMinutesStartsAnother(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);
            pageView(lethe, a, "laptop-1", "https://shop.example/");
            lethe.clock().advance(Duration.ofMinutes(10));
            pageView(lethe, a, "laptop-1", "https://shop.example/shoes");
            lethe.clock().advance(Duration.ofMinutes(31));
            pageView(lethe, a, "laptop-1", "https://shop.example/socks");

            String profileId = identify(lethe, a, """
                            {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                            """).json().get("profileId").asText();

            var p = profile(lethe, a, profileId);
            assertThat(p.get("summary").get("visits").asInt()).isEqualTo(2);
            assertThat(p.get("visits")).extracting(v -> v.get("events").asInt()).containsExactly(2, 1);
            assertThat(p.get("visits").get(0).get("durationSeconds").asLong()).isEqualTo(600);
            assertThat(p.get("visits").get(1).get("source").get("url").asText())
                    .isEqualTo("https://shop.example/socks");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void oneBatchWithATimestampedPauseOfThirtyOneMinutesMakesTwoVisits(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = shop(lethe);
            var start = lethe.clock().instant().minus(Duration.ofHours(1));
            var r = lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%s"},
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%s"},
                      {"visitorId": "laptop-1", "type": "add_to_basket", "ts": "%s"}
                    ]}
                    """.formatted(
                            start, start.plus(Duration.ofMinutes(10)), start.plus(Duration.ofMinutes(41))));
            assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(3);

            String profileId = identify(lethe, a, """
                            {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                            """).json().get("profileId").asText();

            var p = profile(lethe, a, profileId);
            assertThat(p.get("visits")).extracting(v -> v.get("events").asInt()).containsExactly(2, 1);
            assertThat(p.get("visits")).extracting(v -> v.get("pages").asInt()).containsExactly(2, 0);
            assertThat(p.get("summary").get("firstVisit").asText()).isEqualTo(start.toString());
        }
    }
}
