package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 9 for values that got a 500 (issue 13, first list): times a billion years away, message
 * attributes longer than their columns, a retention period of a billion years, a NUL character.
 * Each gets a 4xx problem naming where, and changes nothing.
 */
class HostileValuesTest {

    private static final List<String> FAR_TIMES =
            List.of("+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void timesFarOutsideTheCalendarAreRefusedWhereverATimeIsTaken(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            for (String t : FAR_TIMES) {
                var responses = new ArrayList<Http.Response>();
                responses.add(http.post("/v1/identify", a.adminKey(), """
                        {"identifiers": {"email": "zebulon@example.org"}, "ts": "%s"}
                        """.formatted(t)));
                var tracked = http.post("/v1/track", a.adminKey(), """
                        {"events": [{"visitorId": "laptop-1", "type": "page_view", "ts": "%s"}]}
                        """.formatted(t));
                responses.add(http.get("/v1/profiles?lastVisitFrom=" + t.replace("+", "%2B"), a.adminKey()));
                responses.add(http.get("/v1/audit?from=" + t.replace("+", "%2B"), a.adminKey()));
                responses.add(
                        http.post("/v1/accounts/" + a.id() + "/contract", TestLethe.OPERATOR_KEY, """
                        {"endedAt": "%s"}
                        """.formatted(t)));

                assertThat(responses).allSatisfy(r -> {
                    assertThat(r.status()).as(r.toString()).isBetween(400, 499);
                    assertThat(r.contentType()).startsWith("application/problem+json");
                });
                assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
                assertThat(tracked.json().get("accepted").asInt()).isZero();
                assertThat(tracked.json().at("/rejected/0/errors/0/path").asText())
                        .isEqualTo("events[0].ts");
            }
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void messageAttributesLongerThanTheyMayBeAreRefusedNamingEachAndStoreNothing(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Telecom");
            var http = lethe.http();
            assertThat(http.putYaml(
                                    "/v1/policy",
                                    a.adminKey(),
                                    Files.readString(Path.of("examples/messaging-platform.yaml")))
                            .status())
                    .isEqualTo(201);

            var r = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "api": "%s", "direction": "outbound",
                       "product": "%s", "status": "errstat %s", "campaignId": "%s", "content": "hello"}
                    ]}
                    """.formatted(
                            "a".repeat(33), "p".repeat(65), "+3247".repeat(10), "c".repeat(201)));

            assertThat(r.status()).as(r.toString()).isIn(202, 422);
            assertThat(r.toString())
                    .contains("messages[0].api", "messages[0].product", "messages[0].status", "messages[0].campaignId")
                    .doesNotContain("+3247+3247");
            assertThat(lethe.count("select count(*) from messages where account_id = ?", a.id()))
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRetentionPeriodOfABillionYearsIsRefusedAndTheAccountKeepsWorking(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var put = http.putYaml(
                    "/v1/policy", a.adminKey(), TestPolicies.DATA_CORE.replace("period: P3Y", "period: P999999999Y"));
            var tracked = http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}]}
                    """);

            assertThat(put.status()).as(put.toString()).isEqualTo(422);
            assertThat(put.toString()).contains("categories.email_address.retention.period");
            assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
            assertThat(http.get("/v1/policy/versions", a.adminKey()).json().get("versions"))
                    .hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aNulCharacterInAnyTextOfABodyIsRefusedNamingItsPath(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();

            var track = http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page\\u0000view"}]}
                    """);
            var merge = http.post("/v1/profiles/" + profile + "/merge", a.adminKey(), """
                    {"from": "x\\u0000y"}
                    """);
            var identify = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "yolanda@example.org"}, "traits": {"name": "Yo\\u0000landa"}}
                    """);

            for (var r : List.of(track, merge, identify)) {
                assertThat(r.status()).as(r.toString()).isBetween(400, 499);
            }
            assertThat(track.toString()).contains("events[0].type");
            assertThat(identify.toString()).contains("traits.name");
            assertThat(lethe.count("select count(*) from events where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEventTypeThatIsNotANameIsRefusedSoNoEmailIsStoredInTheClear(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var tracked = http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "zebulon@example.org"},
                      {"visitorId": "laptop-1", "type": "+32 471 23 45 67"},
                      {"visitorId": "laptop-1", "type": "Order Completed"},
                      {"visitorId": "laptop-1", "type": "page_view"}
                    ]}
                    """);
            var goal = http.post("/v1/goals", a.adminKey(), """
                    {"name": "Zebulon", "eventType": "zebulon@example.org"}
                    """);

            assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
            assertThat(tracked.json().get("accepted").asInt()).isEqualTo(2);
            assertThat(tracked.toString()).contains("events[0].type", "events[1].type");
            assertThat(goal.status()).as(goal.toString()).isEqualTo(422);
            assertThat(goal.toString()).contains("eventType").doesNotContain("zebulon@example.org");
            assertThat(lethe.strings("select type from events where account_id = ? order by type", a.id()))
                    .containsExactly("Order Completed", "page_view");
        }
    }
}
