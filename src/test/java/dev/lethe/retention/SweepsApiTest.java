package dev.lethe.retention;

import static dev.lethe.retention.Sweeping.json;
import static dev.lethe.retention.Sweeping.rule;
import static dev.lethe.retention.Sweeping.sweep;
import static dev.lethe.retention.Sweeping.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sweeps over HTTP with the advocacy seed's policy: the IP address of an event goes after 120 days
 * while the event (5 years) and the person stay; a legal hold on one person keeps theirs, counted
 * with the hold's id, until it is lifted; a preview for a future date, and one under a proposed
 * shorter policy, equal the live sweep when that date comes and that policy is in force.
 */
class SweepsApiTest {

    static final String ADVOCACY = Sweeping.read("examples/advocacy-platform.yaml");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIpAddressGoesAfter120DaysInsideAnEventThatStaysAndAHoldKeepsOnePersonsUntilLifted(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), ADVOCACY);
            String held = person(http, a.adminKey(), "v-held", "held@example.org");
            String other = person(http, a.adminKey(), "v-other", "other@example.org");
            Instant start = lethe.clock().instant();

            String hold = http.post("/v1/legal-holds", a.adminKey(), """
                            {"profileId": "%s", "reason": "Dispute 2026-4"}
                            """.formatted(held))
                    .json()
                    .get("id")
                    .asText();

            long emails = lethe.count("select count(*) from personal_values where category = 'email_address'");
            assertThat(emails).isPositive();
            lethe.clock().set(start.plus(Duration.ofDays(119)));
            var before = sweep(http, a.adminKey());
            assertThat(rule(before, "categories.ip_address").get("affected").asLong())
                    .isZero();
            assertThat(ipValues(lethe)).isEqualTo(2);

            lethe.clock().set(start.plus(Duration.ofDays(121)));
            var preview = http.post("/v1/sweeps", a.adminKey(), "{\"dryRun\": true}");
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            assertThat(ipValues(lethe)).as("a preview changes nothing").isEqualTo(2);
            var after = sweep(http, a.adminKey());
            assertThat(withoutTimes(preview.json().get("rules")))
                    .as("the preview equals the sweep")
                    .isEqualTo(withoutTimes(after.get("rules")));
            var ip = rule(after, "categories.ip_address");
            assertThat(ip.get("affected").asLong()).isEqualTo(1);
            assertThat(ip.get("held").asLong()).isEqualTo(1);
            assertThat(ip.get("heldBy").get(0).get("holdId").asText()).isEqualTo(hold);
            assertThat(ipValues(lethe)).isEqualTo(1);
            assertThat(lethe.count(
                            "select count(*) from personal_values where category = 'ip_address' and subject_id = ?",
                            java.util.UUID.fromString(held)))
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from events"))
                    .as("events live 5 years")
                    .isEqualTo(2);
            assertThat(lethe.count("select count(*) from personal_values where category = 'email_address'"))
                    .isEqualTo(emails);
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(2);
            assertThat(other).isNotEqualTo(held);

            // lifted: the next sweep removes what the hold kept
            assertThat(http.delete("/v1/legal-holds/" + hold, a.adminKey()).status())
                    .isEqualTo(200);
            var lifted = sweep(http, a.adminKey());
            assertThat(rule(lifted, "categories.ip_address").get("affected").asLong())
                    .isEqualTo(1);
            assertThat(rule(lifted, "categories.ip_address").get("held").asLong())
                    .isZero();
            assertThat(ipValues(lethe)).isZero();

            // recorded, listed and audited
            var listed = http.get("/v1/sweeps", a.adminKey());
            assertThat(listed.json().get("sweeps")).hasSize(3);
            String id = lifted.get("id").asText();
            assertThat(http.get("/v1/sweeps/" + id, a.adminKey())
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("succeeded");
            assertThat(lethe.strings("select action from audit_log where action like 'retention.%' order by at"))
                    .containsExactly("retention.sweep", "retention.preview", "retention.sweep", "retention.sweep");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPreviewAYearAheadAndOneUnderAShorterPolicyEqualTheSweepsWhenTheyComeTrue(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            // two accounts with the same data: one keeps its policy, the other will shorten it
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            for (var t : java.util.List.of(a, b)) {
                http.putYaml("/v1/policy", t.adminKey(), ADVOCACY);
                person(http, t.adminKey(), "v-1", "one@example.org");
                person(http, t.adminKey(), "v-2", "two@example.org");
            }
            Instant yearAhead = lethe.clock().instant().plus(Duration.ofDays(366));

            var ahead = http.post("/v1/sweeps", a.adminKey(), """
                    {"dryRun": true, "asOf": "%s"}
                    """.formatted(yearAhead));
            assertThat(ahead.status()).as(ahead.toString()).isEqualTo(200);
            assertThat(rule(ahead.json(), "categories.ip_address")
                            .get("affected")
                            .asLong())
                    .isEqualTo(2);
            assertThat(rule(ahead.json(), "records.platform_event")
                            .get("affected")
                            .asLong())
                    .isZero();

            String shorter = ADVOCACY.replace(
                    "retention: { period: P5Y, after: collected }\n  message:",
                    "retention: { period: P6M, after: collected }\n  message:");
            assertThat(shorter).isNotEqualTo(ADVOCACY);
            var proposed = http.post(
                    "/v1/sweeps", b.adminKey(), json("dryRun", true, "asOf", yearAhead.toString(), "policy", shorter));
            assertThat(proposed.status()).as(proposed.toString()).isEqualTo(200);
            assertThat(rule(proposed.json(), "records.platform_event")
                            .get("affected")
                            .asLong())
                    .isEqualTo(2);
            assertThat(lethe.count("select count(*) from events"))
                    .as("previews change nothing")
                    .isEqualTo(4);

            lethe.clock().set(yearAhead);
            var live = sweep(http, a.adminKey());
            assertThat(withoutTimes(live.get("rules")))
                    .isEqualTo(withoutTimes(ahead.json().get("rules")));

            assertThat(http.putYaml("/v1/policy", b.adminKey(), shorter).status())
                    .isEqualTo(201);
            var underShorter = sweep(http, b.adminKey());
            assertThat(withoutTimes(underShorter.get("rules")))
                    .isEqualTo(withoutTimes(proposed.json().get("rules")));
            assertThat(lethe.count(
                            "select count(*) from events where account_id = ?", java.util.UUID.fromString(b.id())))
                    .isZero();
            assertThat(lethe.count(
                            "select count(*) from events where account_id = ?", java.util.UUID.fromString(a.id())))
                    .isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSweepAskedWrongSaysWhereAndAnotherKeySeesNoSweep(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), ADVOCACY);
            http.putYaml("/v1/policy", b.adminKey(), ADVOCACY);
            var bad = http.post("/v1/sweeps", a.adminKey(), """
                    {"asOf": "2030-01-01T00:00:00Z", "policy": "lethe: 1"}
                    """);
            assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
            assertThat(bad.json().get("errors").findValuesAsText("path")).contains("asOf", "policy");
            var badPolicy =
                    http.post("/v1/sweeps", a.adminKey(), json("dryRun", true, "policy", "lethe: 1\nsubjects: 3"));
            assertThat(badPolicy.status()).as(badPolicy.toString()).isEqualTo(422);
            assertThat(badPolicy.json().get("errors").findValuesAsText("path")).allMatch(p -> p.startsWith("policy"));
            assertThat(lethe.count("select count(*) from sweeps")).isZero();

            var mine = sweep(http, a.adminKey());
            assertThat(http.get("/v1/sweeps/" + mine.get("id").asText(), b.adminKey())
                            .status())
                    .isEqualTo(404);
            assertThat(http.get("/v1/sweeps", b.adminKey()).json().get("sweeps"))
                    .isEmpty();
        }
    }

    static String person(Http http, String key, String visitor, String email) {
        var identified = http.post("/v1/identify", key, """
                {"visitorId": "%s", "subjectType": "advocate", "identifiers": {"email": "%s"}}
                """.formatted(visitor, email));
        assertThat(identified.status()).as(identified.toString()).isIn(200, 201);
        var tracked = http.post("/v1/track", key, """
                {"events": [{"visitorId": "%s", "type": "page_view",
                  "context": {"ip": "203.0.113.7"}, "properties": {"page": "/campaigns/7"}}]}
                """.formatted(visitor));
        assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
        assertThat(tracked.json().get("accepted").asInt())
                .as(tracked.toString())
                .isEqualTo(1);
        return identified.json().get("profileId").asText();
    }

    static long ipValues(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'ip_address'");
    }
}
