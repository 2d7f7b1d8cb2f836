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
 * Every rule of the SMS API seed (examples/sms-api.yaml) fires at its moment through the HTTP API:
 * one day before, the data is there; one day after, it is gone, anonymised or summarised. An end
 * user's message is anonymised after 30 days (the row stays, naming no one, without its content)
 * while its traffic data stays until 12 months; a website visit becomes its summary after 30 days
 * and the summary goes after 14 months; an IP address goes after 6 months, an API request after 2
 * years; customers and contacts silent for 24 months go 30 days later with everything they hold.
 */
class SmsApiSeedRetentionTest {

    static final String POLICY = Sweeping.read("examples/sms-api.yaml");

    /** When the fresh test data happened: an hour before the server's clock starts. */
    static final Instant T = Instant.parse("2026-01-15T08:00:00Z");

    /** When the old test data happened: near the start of the accepted range of event times. */
    static final Instant OLD = Instant.parse("2024-02-01T08:00:00Z");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEndUsersMessageIsAnonymisedAfter30DaysAndItsTrafficDataGoesAfter12Months(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            var sent = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"phone": "+31 6 12345678"}, "channel": "sms", "direction": "outbound", "ts": "%s",
                       "content": "Your code is 123456", "traffic": {"route": "nl-1", "duration": 42}}
                    ]}
                    """.formatted(T));
            assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
            assertThat(sent.json().get("accepted").asInt()).as(sent.toString()).isEqualTo(1);
            assertThat(lethe.strings("select rule_kind from messages")).containsExactly("end_user_message");
            assertThat(messageValues(lethe))
                    .containsExactlyInAnyOrder("message.content", "traffic.route", "traffic.duration");

            lethe.clock().set(plus(T, "P29D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "records.end_user_message")).isZero();
            assertThat(lethe.count("select count(*) from messages where subject_id is not null"))
                    .isEqualTo(1);
            assertThat(messageValues(lethe)).contains("message.content");

            // anonymised: the row stays, naming no one, and its content is gone; its traffic data
            // is another part of the record, with a rule of its own
            lethe.clock().set(plus(T, "P31D"));
            var after = sweep(http, a.adminKey());
            assertThat(affected(after, "records.end_user_message")).isEqualTo(1);
            assertThat(Sweeping.rule(after, "records.end_user_message")
                            .get("action")
                            .asText())
                    .isEqualTo("anonymise");
            assertThat(lethe.count("select count(*) from messages")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from messages where subject_id is null"))
                    .isEqualTo(1);
            assertThat(messageValues(lethe)).containsExactlyInAnyOrder("traffic.route", "traffic.duration");

            lethe.clock().set(plus(plus(T, "P12M"), "-P1D"));
            var trafficBefore = sweep(http, a.adminKey());
            assertThat(affected(trafficBefore, "records.traffic_record")).isZero();
            assertThat(affected(trafficBefore, "categories.traffic_data")).isZero();
            assertThat(messageValues(lethe)).hasSize(2);

            lethe.clock().set(plus(plus(T, "P12M"), "P1D"));
            var trafficAfter = sweep(http, a.adminKey());
            assertThat(affected(trafficAfter, "records.traffic_record")).isEqualTo(2);
            assertThat(messageValues(lethe)).isEmpty();
            assertThat(lethe.count("select count(*) from messages where subject_id is null"))
                    .as("the anonymous row stays, for statistics")
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aVisitIsSummarisedAfter30DaysItsSummaryGoesAfter14MonthsAndAnIpAddressAfter6Months(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());
            Sweeping.consentToEverything(http, a.adminKey(), "console-1");
            var identified = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "console-1", "subjectType": "customer", "identifiers": {"email": "yolanda@example.org"}}
                    """);
            assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
            track(http, a.adminKey(), "console-1", T);

            lethe.clock().set(plus(T, "P29D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "records.website_session")).isZero();
            assertThat(lethe.count("select count(*) from events")).isEqualTo(2);

            // the visit is its summary (landing page and referrer); the page view went with its
            // values, the API request (a goal: an important event) stays by its own rule
            lethe.clock().set(plus(T, "P31D"));
            var summarised = sweep(http, a.adminKey());
            assertThat(affected(summarised, "records.website_session")).isEqualTo(1);
            assertThat(lethe.strings("select rule_kind from sessions")).containsExactly("website_session_summary");
            assertThat(lethe.strings("select type from events")).containsExactly("api_request");
            assertThat(lethe.strings("select field from personal_values where rule_kind = 'website_session_summary'"))
                    .containsExactlyInAnyOrder("context.url", "context.referrer");
            assertThat(ipValues(lethe)).isEqualTo(1);

            lethe.clock().set(plus(plus(T, "P6M"), "-P1D"));
            assertThat(affected(sweep(http, a.adminKey()), "categories.ip_address"))
                    .isZero();
            assertThat(ipValues(lethe)).isEqualTo(1);
            lethe.clock().set(plus(plus(T, "P6M"), "P1D"));
            assertThat(affected(sweep(http, a.adminKey()), "categories.ip_address"))
                    .isEqualTo(1);
            assertThat(ipValues(lethe)).isZero();

            lethe.clock().set(plus(plus(T, "P14M"), "-P1D"));
            var summaryBefore = sweep(http, a.adminKey());
            assertThat(affected(summaryBefore, "records.website_session_summary"))
                    .isZero();
            assertThat(lethe.count("select count(*) from sessions")).isEqualTo(1);

            lethe.clock().set(plus(plus(T, "P14M"), "P1D"));
            var summaryAfter = sweep(http, a.adminKey());
            assertThat(affected(summaryAfter, "records.website_session_summary"))
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from sessions")).isZero();
            assertThat(lethe.count("select count(*) from personal_values where record_kind = 'session_summary'"))
                    .isZero();
            assertThat(lethe.strings("select type from events"))
                    .as("the API request lives 2 years")
                    .containsExactly("api_request");
            assertThat(lethe.count("select count(*) from goal_hits")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anApiRequestGoesAfter2YearsAndCustomersAndContactsSilentFor24MonthsGo30DaysLater(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());
            Sweeping.consentToEverything(http, a.adminKey(), "console-7", OLD);
            var customer = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "console-7", "subjectType": "customer", "ts": "%s",
                     "identifiers": {"email": "yolanda@example.org", "externalId": "acct-7"},
                     "traits": {"name": "Yolanda Quokka", "company": "Quokka BV"}}
                    """.formatted(OLD));
            assertThat(customer.status()).as(customer.toString()).isEqualTo(201);
            var endUser = http.post("/v1/identify", a.adminKey(), """
                    {"subjectType": "end_user", "ts": "%s",
                     "identifiers": {"phone": "+31 6 12345678"}, "traits": {"name": "Xavier Wombat"}}
                    """.formatted(OLD));
            assertThat(endUser.status()).as(endUser.toString()).isEqualTo(201);
            track(http, a.adminKey(), "console-7", OLD.plus(Duration.ofMinutes(1)));
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(2);

            lethe.clock().set(plus(plus(OLD, "P2Y"), "-P1D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "records.api_request")).isZero();
            assertThat(lethe.strings("select type from events")).containsExactly("api_request");
            assertThat(lethe.count("select count(*) from goal_hits")).isEqualTo(1);

            lethe.clock().set(plus(plus(OLD, "P2Y"), "P1D"));
            var after = sweep(http, a.adminKey());
            assertThat(affected(after, "records.api_request")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from events")).isZero();
            assertThat(lethe.count("select count(*) from goal_hits")).isZero();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(2);

            // silent since OLD (the customer's last request a minute later): 24 months and 30 days
            lethe.clock().set(plus(plus(plus(OLD, "P24M"), "P30D"), "-P1D"));
            var silentBefore = sweep(http, a.adminKey());
            assertThat(affected(silentBefore, "records.customer_account")).isZero();
            assertThat(affected(silentBefore, "records.contact")).isZero();
            assertThat(lethe.strings("select category from personal_values"))
                    .contains("email_address", "account_id", "company_details", "name", "phone_number");

            lethe.clock().set(plus(plus(plus(OLD, "P24M"), "P30D"), "P1D"));
            var silentAfter = sweep(http, a.adminKey());
            assertThat(affected(silentAfter, "records.customer_account")).isEqualTo(1);
            assertThat(affected(silentAfter, "records.contact")).isEqualTo(1);
            for (String table : new String[] {"subjects", "personal_values", "identifiers", "events", "sessions"})
                assertThat(lethe.count("select count(*) from " + table))
                        .as(table)
                        .isZero();
        }
    }

    private static void setUp(Http http, String key) {
        assertThat(http.putYaml("/v1/policy", key, POLICY).status()).isEqualTo(201);
        var goal = http.post("/v1/goals", key, "{\"name\": \"Used the API\", \"eventType\": \"api_request\"}");
        assertThat(goal.status()).as(goal.toString()).isEqualTo(201);
    }

    /** A visit: a page view, then an API request a minute later. */
    private static void track(Http http, String key, String visitor, Instant at) {
        var r = http.post("/v1/track", key, """
                {"events": [
                  {"visitorId": "%1$s", "type": "page_view", "ts": "%2$s",
                   "context": {"ip": "203.0.113.7", "url": "https://sms.example/pricing", "referrer": "https://search.example/"}},
                  {"visitorId": "%1$s", "type": "api_request", "ts": "%3$s",
                   "context": {"ip": "203.0.113.7"}, "properties": {"command": "send", "product": "sms"}}
                ]}
                """.formatted(visitor, at, at.plus(Duration.ofMinutes(1))));
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(2);
    }

    private static java.util.List<String> messageValues(TestLethe lethe) {
        return lethe.strings("select field from personal_values where record_kind <> 'profile'");
    }

    private static long ipValues(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'ip_address'");
    }
}
