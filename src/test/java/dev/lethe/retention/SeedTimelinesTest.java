package dev.lethe.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's worked examples ("What happens to a visitor's data: the four seeds"): one visitor
 * under each example policy, swept live on day 1, 15, 121 and 366 and after 13, 18 and 25 months
 * of silence; after each sweep, what is left is what the README says.
 */
class SeedTimelinesTest {

    /** What is left: the values' categories, events, sessions' rules, messages, people. */
    record Left(List<String> categories, long events, List<String> sessions, long messages, long people) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void webPersonalisation(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = start(lethe, "web-personalisation");
            Sweeping.consentToEverything(lethe.http(), a.adminKey(), "laptop-1");
            Instant day0 = lethe.clock().instant();
            ok(lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view", "ts": "%s",
                                 "context": {"ip": "198.51.100.7", "userAgent": "Mozilla/5.0", "url": "https://shop.example/",
                                             "referrer": "https://search.example/", "campaign": "spring"}},
                                {"visitorId": "laptop-1", "type": "signup", "ts": "%s",
                                 "context": {"ip": "198.51.100.7", "url": "https://shop.example/signup"},
                                 "properties": {"goal": "signup", "interest": "boots"}}]}
                    """.formatted(day0, day0.plusSeconds(300))));
            var summary = List.of("campaign_interactions", "visit_history", "visit_history");
            var full = new Left(
                    List.of(
                            "campaign_interactions",
                            "campaign_interactions",
                            "device_info",
                            "goals",
                            "interests",
                            "ip_address",
                            "ip_address",
                            "visit_history",
                            "visit_history",
                            "visit_history",
                            "visit_history",
                            "visit_history"),
                    2,
                    List.of("complete_session"),
                    0,
                    1);
            assertAfter(lethe, a, day0, days(1), full);
            assertAfter(lethe, a, day0, days(15), new Left(summary, 0, List.of("session_summary"), 0, 1));
            assertAfter(lethe, a, day0, days(121), new Left(summary, 0, List.of("session_summary"), 0, 1));
            assertAfter(lethe, a, day0, days(366), new Left(List.of(), 0, List.of(), 0, 1));
            assertAfter(lethe, a, day0, months(13), new Left(List.of(), 0, List.of(), 0, 0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void advocacyPlatform(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = start(lethe, "advocacy-platform");
            Instant day0 = lethe.clock().instant();
            ok(lethe.http().post("/v1/identify", a.adminKey(), """
                    {"visitorId": "phone-1", "subjectType": "advocate", "identifiers": {"email": "ann@example.org"},
                     "traits": {"name": "Ann", "language": "NL"}}
                    """));
            ok(lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "phone-1", "type": "page_view",
                                 "context": {"ip": "198.51.100.7", "userAgent": "Mozilla/5.0"}, "properties": {"page": "/campaigns/7"}}]}
                    """));
            var withoutIp = List.of("email_address", "name", "platform_activity", "preferred_language");
            var full = new Left(
                    List.of(
                            "browser",
                            "email_address",
                            "ip_address",
                            "name",
                            "platform_activity",
                            "preferred_language"),
                    1,
                    List.of(),
                    0,
                    1);
            assertAfter(lethe, a, day0, days(1), full);
            assertAfter(lethe, a, day0, days(15), full);
            assertAfter(lethe, a, day0, days(121), new Left(withoutIp, 1, List.of(), 0, 1));
            assertAfter(lethe, a, day0, days(366), new Left(withoutIp, 1, List.of(), 0, 1));
            assertAfter(lethe, a, day0, months(18), new Left(withoutIp, 1, List.of(), 0, 1));
            assertAfter(
                    lethe,
                    a,
                    day0,
                    months(25),
                    new Left(List.of("email_address", "platform_activity"), 1, List.of(), 0, 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void messagingPlatform(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = start(lethe, "messaging-platform");
            Instant day0 = lethe.clock().instant();
            ok(lethe.http().post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"phone": "+32 471 23 45 67"}, "channel": "sms", "product": "cpaas", "api": "http",
                       "direction": "outbound", "content": "Your code is 1234",
                       "traffic": {"from": "Acme", "to": "+32471234567", "route": "r1", "duration": "1"}},
                      {"subject": {"phone": "+32 471 23 45 67"}, "channel": "whatsapp", "product": "conversations",
                       "direction": "inbound", "conversationId": "c-1", "content": "Where is my parcel?"},
                      {"subject": {"email": "ann@example.org"}, "channel": "email", "api": "smtp", "product": "cpaas",
                       "direction": "outbound", "content": "Invoice attached"}]}
                    """));
            var people = List.of("email_address", "phone_number");
            var traffic = List.of("traffic_data", "traffic_data", "traffic_data", "traffic_data");
            var day1 = concat(
                    List.of("communication_content", "communication_content", "communication_content"),
                    people,
                    traffic);
            assertAfter(lethe, a, day0, days(1), new Left(day1, 0, List.of(), 3, 2));
            assertAfter(
                    lethe,
                    a,
                    day0,
                    days(15),
                    new Left(
                            concat(List.of("communication_content", "communication_content"), people, traffic),
                            0,
                            List.of(),
                            3,
                            2));
            assertAfter(
                    lethe,
                    a,
                    day0,
                    days(121),
                    new Left(concat(List.of("communication_content"), people, traffic), 0, List.of(), 1, 2));
            assertAfter(lethe, a, day0, days(366), new Left(people, 0, List.of(), 0, 2));
            assertThat(lethe.count("select count(*) from conversations")).isZero();
            assertAfter(lethe, a, day0, months(18), new Left(people, 0, List.of(), 0, 2));
            // 18 months and 30 days of silence
            assertAfter(
                    lethe,
                    a,
                    day0,
                    day0.atOffset(ZoneOffset.UTC)
                            .plusMonths(18)
                            .plusDays(30)
                            .plusMinutes(1)
                            .toInstant(),
                    new Left(List.of(), 0, List.of(), 0, 0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void smsApi(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = start(lethe, "sms-api");
            Sweeping.consentToEverything(lethe.http(), a.adminKey(), "laptop-9");
            Instant day0 = lethe.clock().instant();
            var http = lethe.http();
            ok(http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-9", "type": "page_view",
                                 "context": {"ip": "198.51.100.7", "userAgent": "Mozilla/5.0", "url": "https://sms.example/pricing",
                                             "referrer": "https://search.example/", "campaign": "ad-7"}}]}
                    """));
            ok(http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "laptop-9", "subjectType": "website_visitor", "identifiers": {"email": "bob@example.org"},
                     "traits": {"name": "Bob", "newsletter": "yes"}}
                    """));
            ok(http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-9", "type": "contact", "ts": "%s",
                                 "properties": {"inquiry": "How much is an SMS to Belgium?"}}]}
                    """.formatted(day0.plusSeconds(300))));
            var summary = List.of("browsing_activity", "browsing_activity", "online_identifiers");
            var contact = List.of("email_address", "name", "newsletter_subscription");
            var full = new Left(
                    concat(
                            summary,
                            contact,
                            List.of(
                                    "browser_info",
                                    "browsing_activity",
                                    "browsing_activity",
                                    "inquiries",
                                    "ip_address",
                                    "online_identifiers")),
                    2,
                    List.of("website_session"),
                    0,
                    1);
            assertAfter(lethe, a, day0, days(1), full);
            assertAfter(lethe, a, day0, days(15), full);
            assertAfter(
                    lethe,
                    a,
                    day0,
                    days(121),
                    new Left(concat(summary, contact), 0, List.of("website_session_summary"), 0, 1));
            assertAfter(
                    lethe,
                    a,
                    day0,
                    days(366),
                    new Left(
                            List.of("newsletter_subscription", "online_identifiers"),
                            0,
                            List.of("website_session_summary"),
                            0,
                            1));
            assertThat(lethe.strings("select kind from identifiers")).containsExactly("visitorId");
            assertAfter(lethe, a, day0, months(18), new Left(List.of("newsletter_subscription"), 0, List.of(), 0, 1));
            assertAfter(lethe, a, day0, months(24), new Left(List.of(), 0, List.of(), 0, 1));
            assertAfter(
                    lethe,
                    a,
                    day0,
                    day0.atOffset(ZoneOffset.UTC)
                            .plusMonths(24)
                            .plusDays(30)
                            .plusMinutes(6)
                            .toInstant(),
                    new Left(List.of(), 0, List.of(), 0, 0));
        }
    }

    private static TestLethe.Tenant start(TestLethe lethe, String seed) {
        var a = lethe.createAccount("Seed");
        var put = lethe.http().putYaml("/v1/policy", a.adminKey(), Sweeping.read("examples/" + seed + ".yaml"));
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        return a;
    }

    private static Duration days(long n) {
        return Duration.ofDays(n);
    }

    /** Months of silence after day 0, and a day. */
    private static Duration months(int n) {
        var day0 = Instant.parse("2026-01-15T09:00:00Z");
        return Duration.between(
                day0, day0.atOffset(ZoneOffset.UTC).plusMonths(n).plusDays(1).toInstant());
    }

    private static void assertAfter(TestLethe lethe, TestLethe.Tenant a, Instant day0, Duration after, Left left) {
        assertAfter(lethe, a, day0, day0.plus(after), left);
    }

    private static void assertAfter(TestLethe lethe, TestLethe.Tenant a, Instant day0, Instant at, Left left) {
        lethe.clock().set(at);
        var swept = lethe.http().post("/v1/sweeps", a.adminKey(), "{}");
        assertThat(swept.status()).as(swept.toString()).isEqualTo(200);
        var now = new Left(
                lethe.strings("select category from personal_values").stream()
                        .sorted()
                        .toList(),
                lethe.count("select count(*) from events"),
                lethe.strings("select rule_kind from sessions").stream()
                        .sorted()
                        .toList(),
                lethe.count("select count(*) from messages"),
                lethe.count("select count(*) from subjects"));
        assertThat(now)
                .as("left at %s (%s after day 0)", at, Duration.between(day0, at))
                .isEqualTo(left);
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        return java.util.stream.Stream.of(lists).flatMap(List::stream).sorted().toList();
    }

    private static void ok(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201, 202);
    }
}
