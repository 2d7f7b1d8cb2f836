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
 * Every rule of the advocacy seed (examples/advocacy-platform.yaml) fires at its moment through the
 * HTTP API: one day before, the data is there; one day after, it is gone. An advocate's IP address
 * and browser go after 120 days inside an event that stays 5 years, messages and names after 2
 * years, email addresses after 3; the profile itself stays until 30 days after the contract ends,
 * and then goes with everything it still holds.
 */
class AdvocacySeedRetentionTest {

    static final String POLICY = Sweeping.read("examples/advocacy-platform.yaml");

    /** When the old test data happened: near the start of the accepted range of event times. */
    static final Instant OLD = Instant.parse("2024-02-01T08:00:00Z");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIpAddressAndBrowserGoAfter120DaysMessagesAndNamesAfter2YearsAndEmailAddressesAfter3Years(
            TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            Instant now = lethe.clock().instant();
            String profile = identify(http, a.adminKey(), null);
            var tracked = http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "v-1", "type": "page_view",
                                 "context": {"ip": "203.0.113.7", "userAgent": "Firefox 140"},
                                 "properties": {"page": "/campaigns/7"}}]}
                    """);
            assertThat(tracked.json().get("accepted").asInt())
                    .as(tracked.toString())
                    .isEqualTo(1);
            message(http, a.adminKey(), profile);
            assertThat(categories(lethe))
                    .containsExactlyInAnyOrder("email_address", "name", "ip_address", "browser", "platform_activity");

            lethe.clock().set(plus(now, "P119D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "categories.ip_address")).isZero();
            assertThat(affected(before, "categories.browser")).isZero();
            assertThat(categories(lethe)).contains("ip_address", "browser");

            lethe.clock().set(plus(now, "P121D"));
            var after = sweep(http, a.adminKey());
            assertThat(affected(after, "categories.ip_address")).isEqualTo(1);
            assertThat(affected(after, "categories.browser")).isEqualTo(1);
            assertThat(affected(after, "records.platform_event")).isZero();
            assertThat(categories(lethe)).containsExactlyInAnyOrder("email_address", "name", "platform_activity");
            assertThat(lethe.count("select count(*) from events")).isEqualTo(1);

            lethe.clock().set(plus(plus(now, "P2Y"), "-P1D"));
            var twoBefore = sweep(http, a.adminKey());
            assertThat(affected(twoBefore, "records.message")).isZero();
            assertThat(affected(twoBefore, "categories.name")).isZero();
            assertThat(lethe.count("select count(*) from messages")).isEqualTo(1);

            lethe.clock().set(plus(plus(now, "P2Y"), "P1D"));
            var twoAfter = sweep(http, a.adminKey());
            assertThat(affected(twoAfter, "records.message")).isEqualTo(1);
            assertThat(affected(twoAfter, "categories.name")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from messages")).isZero();
            assertThat(categories(lethe)).containsExactlyInAnyOrder("email_address", "platform_activity");

            lethe.clock().set(plus(plus(now, "P3Y"), "-P1D"));
            var threeBefore = sweep(http, a.adminKey());
            assertThat(affected(threeBefore, "categories.email_address")).isZero();
            assertThat(lethe.count("select count(*) from identifiers where kind = 'email'"))
                    .isEqualTo(1);

            lethe.clock().set(plus(plus(now, "P3Y"), "P1D"));
            var threeAfter = sweep(http, a.adminKey());
            assertThat(affected(threeAfter, "categories.email_address")).isEqualTo(1);
            assertThat(categories(lethe)).containsExactly("platform_activity");
            assertThat(lethe.count("select count(*) from identifiers where kind = 'email'"))
                    .as("the blind index goes with its value")
                    .isZero();
            assertThat(lethe.count("select count(*) from events")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from subjects"))
                    .as("the profile lives until the contract ends")
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void platformEventsGoAfter5YearsAndTheProfileWithEverything30DaysAfterTheContractEnds(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            String profile = identify(http, a.adminKey(), OLD);
            var tracked = http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "v-1", "type": "page_view", "ts": "%s",
                                 "context": {"ip": "203.0.113.7", "userAgent": "Firefox 140"},
                                 "properties": {"page": "/campaigns/7"}}]}
                    """.formatted(OLD.plus(Duration.ofMinutes(1))));
            assertThat(tracked.json().get("accepted").asInt())
                    .as(tracked.toString())
                    .isEqualTo(1);
            assertThat(tracked.json().get("expired").findValuesAsText("field"))
                    .as("120 days are long past: the IP address and browser are not stored")
                    .containsExactlyInAnyOrder("context.ip", "context.userAgent");

            lethe.clock().set(plus(plus(OLD, "P5Y"), "-P1D"));
            var before = sweep(http, a.adminKey());
            assertThat(affected(before, "records.platform_event")).isZero();
            assertThat(lethe.count("select count(*) from events")).isEqualTo(1);
            assertThat(categories(lethe)).containsExactly("platform_activity");

            lethe.clock().set(plus(plus(OLD, "P5Y"), "P1D"));
            var after = sweep(http, a.adminKey());
            assertThat(affected(after, "records.platform_event")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from events")).isZero();
            assertThat(categories(lethe)).isEmpty();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(1);

            // the contract ends; the profile, with what it still holds (a message sent that day),
            // stays 30 days
            Instant ended = lethe.clock().instant();
            message(http, a.adminKey(), profile);
            var contract = http.post(
                    "/v1/accounts/" + a.id() + "/contract",
                    TestLethe.OPERATOR_KEY,
                    Sweeping.json("endedAt", ended.toString()));
            assertThat(contract.status()).as(contract.toString()).isEqualTo(200);
            lethe.clock().set(plus(ended, "P29D"));
            var dayBefore = sweep(http, a.adminKey());
            assertThat(affected(dayBefore, "records.profile")).isZero();
            assertThat(lethe.strings("select cast(subject_id as varchar) from subjects"))
                    .containsExactly(profile);
            assertThat(lethe.count("select count(*) from messages")).isEqualTo(1);

            lethe.clock().set(plus(ended, "P31D"));
            var dayAfter = sweep(http, a.adminKey());
            assertThat(affected(dayAfter, "records.profile")).isEqualTo(1);
            for (String table : new String[] {"subjects", "personal_values", "identifiers", "events", "messages"})
                assertThat(lethe.count("select count(*) from " + table))
                        .as(table)
                        .isZero();
        }
    }

    /** An advocate with an email address and a name, identified at {@code ts} (now when null). */
    private static String identify(Http http, String key, Instant ts) {
        var r = http.post("/v1/identify", key, """
                {"visitorId": "v-1", "subjectType": "advocate", %s
                 "identifiers": {"email": "yolanda@example.org"}, "traits": {"name": "Yolanda Quokka"}}
                """.formatted(ts == null ? "" : "\"ts\": \"" + ts + "\","));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("profileId").asText();
    }

    /**
     * An email a manager sent to the advocate (named by profile id, which outlives the email
     * address), now. It carries no content: the seed maps no
     * {@code message.content} field to a category, so a message's text would be refused.
     */
    private static void message(Http http, String key, String profile) {
        var r = http.post("/v1/messages", key, """
                {"messages": [{"subject": {"profileId": "%s"}, "subjectType": "advocate",
                               "channel": "email", "direction": "outbound", "status": "delivered"}]}
                """.formatted(profile));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
    }

    private static java.util.List<String> categories(TestLethe lethe) {
        return lethe.strings("select category from personal_values");
    }
}
