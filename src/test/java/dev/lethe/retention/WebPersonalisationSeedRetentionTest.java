package dev.lethe.retention;

import static dev.lethe.retention.Sweeping.affected;
import static dev.lethe.retention.Sweeping.plus;
import static dev.lethe.retention.Sweeping.sweep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of the website personalisation seed (examples/web-personalisation.yaml) fires at its
 * moment through the HTTP API: one day before, the data is there; one day after, it is gone or
 * summarised. A complete session becomes its summary after 14 days, the summary goes after a year,
 * an anonymous visitor's goal event after a year with its goal hit, an IP address after 14 days, a
 * visitor silent for 13 months with everything while an identified profile stays; at the contract's
 * end the visitors go at once and the profiles, with their goals, 30 days later.
 */
class WebPersonalisationSeedRetentionTest {

    static final String POLICY = Sweeping.read("examples/web-personalisation.yaml");

    /** When the test's events happened: an hour before the server's clock starts. */
    static final Instant T = Instant.parse("2026-01-15T08:00:00Z");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSessionIsSummarisedAfter14DaysItsSummaryAndGoalEventGoAfterAYearAndTheSilentVisitorAfter13Months(
            TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());
            Sweeping.consentToEverything(http, a.adminKey(), "laptop-1");
            var tracked = http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%s",
                       "context": {"ip": "203.0.113.7", "userAgent": "Firefox 140", "url": "https://shop.example/",
                                   "referrer": "https://news.example/", "campaign": "winter"},
                       "properties": {"interest": "shoes"}},
                      {"visitorId": "laptop-1", "type": "signup", "ts": "%s",
                       "context": {"ip": "203.0.113.7"}, "properties": {"goal": "signed up"}}
                    ]}
                    """.formatted(T, T.plus(Duration.ofMinutes(5))));
            assertThat(tracked.json().get("accepted").asInt())
                    .as(tracked.toString())
                    .isEqualTo(2);
            assertThat(lethe.count("select count(*) from personal_values")).isEqualTo(11);

            // 13 days: the complete session and its IP addresses are all there
            lethe.clock().set(plus(plus(T, "P14D"), "-P1D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "records.complete_session")).isZero();
            assertThat(affected(before, "categories.ip_address")).isZero();
            assertThat(lethe.count("select count(*) from events")).isEqualTo(2);
            assertThat(ipValues(lethe)).isEqualTo(2);
            assertThat(lethe.strings("select rule_kind from sessions")).containsExactly("complete_session");

            // 15 days: the session is its summary (the session row, its referrer, landing page and
            // campaign); its logged events went with their values; the goal event is an important
            // event, kept by its own rule with its goal hit, and loses its IP address
            lethe.clock().set(plus(plus(T, "P14D"), "P1D"));
            var summarised = sweep(http, a.adminKey());
            assertThat(affected(summarised, "records.complete_session")).isEqualTo(1);
            assertThat(affected(summarised, "categories.ip_address")).isEqualTo(1);
            assertThat(lethe.strings("select rule_kind from sessions")).containsExactly("session_summary");
            assertThat(lethe.strings("select type from events")).containsExactly("signup");
            assertThat(lethe.count("select count(*) from goal_hits")).isEqualTo(1);
            assertThat(ipValues(lethe)).isZero();
            assertThat(lethe.strings("select field from personal_values where record_kind = 'session_summary'"
                            + " and rule_kind = 'session_summary'"))
                    .containsExactlyInAnyOrder("context.referrer", "context.url", "context.campaign");
            assertThat(lethe.strings("select field from personal_values where record_kind = 'event'"))
                    .containsExactly("properties.goal");

            // a year less a day: the summary and the goal event are there
            lethe.clock().set(plus(plus(T, "P1Y"), "-P1D"));
            var yearBefore = sweep(http, a.adminKey());
            assertThat(affected(yearBefore, "records.session_summary")).isZero();
            assertThat(affected(yearBefore, "records.anonymous_event")).isZero();
            assertThat(lethe.count("select count(*) from sessions")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from personal_values")).isEqualTo(4);

            // a year and a day: the summary with its values, the goal event with its hit
            lethe.clock().set(plus(plus(T, "P1Y"), "P1D"));
            var yearAfter = sweep(http, a.adminKey());
            assertThat(affected(yearAfter, "records.session_summary")).isEqualTo(1);
            assertThat(affected(yearAfter, "records.anonymous_event")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from sessions")).isZero();
            assertThat(lethe.count("select count(*) from events")).isZero();
            assertThat(lethe.count("select count(*) from goal_hits")).isZero();
            assertThat(lethe.count("select count(*) from personal_values")).isZero();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(1);

            // the browser, silent for 13 months less a day, is still known; a day after, it is not
            lethe.clock().set(plus(plus(T, "P13M"), "-P1D"));
            var silentBefore = sweep(http, a.adminKey());
            assertThat(affected(silentBefore, "records.visitor")).isZero();
            assertThat(lethe.count("select count(*) from identifiers where kind = 'visitorId'"))
                    .isEqualTo(1);
            lethe.clock().set(plus(plus(T, "P13M"), "P1D"));
            var silentAfter = sweep(http, a.adminKey());
            assertThat(affected(silentAfter, "records.visitor")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from subjects")).isZero();
            assertThat(lethe.count("select count(*) from identifiers")).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aVisitorSilentFor13MonthsGoesWithItsDeviceIdWhileAnIdentifiedProfileKeepsItsDeviceAndGoals(
            TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());
            anonymousVisitor(http, a.adminKey(), "laptop-2");
            String profile = identifiedProfile(http, a.adminKey(), "phone-1", "yolanda@example.org");
            assertThat(lethe.count("select count(*) from identifiers where kind = 'visitorId'"))
                    .isEqualTo(2);

            lethe.clock().set(plus(plus(T, "P13M"), "-P1D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "records.visitor")).isZero();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(2);

            lethe.clock().set(plus(plus(T, "P13M"), "P1D"));
            var after = sweep(http, a.adminKey());
            assertThat(affected(after, "records.visitor")).isEqualTo(1);
            assertThat(affected(after, "records.profile")).isZero();
            assertThat(affected(after, "categories.device_id")).isZero();
            assertThat(lethe.strings("select cast(subject_id as varchar) from subjects"))
                    .containsExactly(profile);
            // the profile keeps its email address, name and device id, and its goal event and hit
            assertThat(lethe.strings("select category from personal_values"))
                    .containsExactlyInAnyOrder("email_address", "name", "device_id", "goals");
            assertThat(lethe.strings("select kind from identifiers")).containsExactlyInAnyOrder("email", "visitorId");
            assertThat(lethe.strings("select type from events")).containsExactly("signup");
            var view = http.get("/v1/profiles/" + profile, a.adminKey());
            assertThat(view.status()).as(view.toString()).isEqualTo(200);
            assertThat(view.json().at("/goals/0/name").asText()).isEqualTo("Signed up");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void atTheContractsEndVisitorsGoAtOnceAndProfilesWithEverything30DaysLater(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());
            anonymousVisitor(http, a.adminKey(), "laptop-2");
            String profile = identifiedProfile(http, a.adminKey(), "phone-1", "yolanda@example.org");
            Instant ended = plus(T, "P20D");

            lethe.clock().set(plus(ended, "-P1D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "records.visitor")).isZero();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(2);

            lethe.clock().set(ended);
            var contract = http.post(
                    "/v1/accounts/" + a.id() + "/contract",
                    TestLethe.OPERATOR_KEY,
                    Sweeping.json("endedAt", ended.toString()));
            assertThat(contract.status()).as(contract.toString()).isEqualTo(200);
            var atEnd = sweep(http, a.adminKey());
            assertThat(affected(atEnd, "records.visitor")).isEqualTo(1);
            assertThat(affected(atEnd, "records.profile")).isZero();
            assertThat(lethe.strings("select cast(subject_id as varchar) from subjects"))
                    .containsExactly(profile);

            lethe.clock().set(plus(ended, "P29D"));
            var dayBefore = sweep(http, a.adminKey());
            for (String rule : new String[] {
                "records.profile",
                "records.event",
                "categories.email_address",
                "categories.name",
                "categories.device_id"
            }) assertThat(affected(dayBefore, rule)).as(rule).isZero();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(1);
            assertThat(lethe.strings("select category from personal_values"))
                    .contains("email_address", "name", "device_id", "goals");
            assertThat(lethe.count("select count(*) from events")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from goal_hits")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from sessions")).isEqualTo(1);

            lethe.clock().set(plus(ended, "P31D"));
            var dayAfter = sweep(http, a.adminKey());
            assertThat(affected(dayAfter, "records.profile")).isEqualTo(1);
            assertThat(Sweeping.rule(dayAfter, "records.profile").get("derived").asLong())
                    .isPositive();
            for (String table : new String[] {
                "subjects", "personal_values", "identifiers", "events", "sessions", "goal_hits", "profile_tags"
            })
                assertThat(lethe.count("select count(*) from " + table))
                        .as(table)
                        .isZero();
            assertThat(http.get("/v1/profiles/" + profile, a.adminKey()).status())
                    .isEqualTo(404);
        }
    }

    private static void setUp(Http http, String key) {
        assertThat(http.putYaml("/v1/policy", key, POLICY).status()).isEqualTo(201);
        var goal = http.post("/v1/goals", key, "{\"name\": \"Signed up\", \"eventType\": \"signup\"}");
        assertThat(goal.status()).as(goal.toString()).isEqualTo(201);
    }

    /** A browser that viewed a page at {@link #T}. */
    private static void anonymousVisitor(Http http, String key, String visitor) {
        Sweeping.consentToEverything(http, key, visitor);
        var r = http.post("/v1/track", key, """
                {"events": [{"visitorId": "%s", "type": "page_view", "ts": "%s",
                             "context": {"ip": "203.0.113.9", "url": "https://shop.example/hats"}}]}
                """.formatted(visitor, T));
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
    }

    /** A browser that signed up at {@link #T} (a goal) and then gave its email address and name. */
    private static String identifiedProfile(Http http, String key, String visitor, String email) {
        Sweeping.consentToEverything(http, key, visitor);
        var r = http.post("/v1/track", key, """
                {"events": [{"visitorId": "%s", "type": "signup", "ts": "%s",
                             "context": {"ip": "203.0.113.8"}, "properties": {"goal": "signed up"}}]}
                """.formatted(visitor, T));
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
        var identified = http.post("/v1/identify", key, """
                {"visitorId": "%s", "identifiers": {"email": "%s"}, "traits": {"name": "Yolanda Quokka"}}
                """.formatted(visitor, email));
        assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
        return identified.json().get("profileId").asText();
    }

    private static long ipValues(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'ip_address'");
    }
}
