package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StatisticsApiTest {

    static final String POLICY = TestPolicies.DATA_CORE.replace(
            "  context.referrer: visit_history\n",
            "  context.referrer: visit_history\n  context.campaign: visit_history\n");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eventsAndVisitsAreCountedPerDayWithoutAnythingThatIdentifiesAPerson(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);

            var r = http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "2026-01-15T08:00:00Z",
                       "context": {"referrer": "https://www.Google.com/search?q=zebulon", "campaign": "winter-sale"}},
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "2026-01-15T08:05:00Z"},
                      {"visitorId": "phone-1", "type": "signup", "ts": "2026-01-15T08:10:00Z",
                       "context": {"referrer": "https://zebulon-quux.example/blog"}},
                      {"visitorId": "phone-1", "type": "page_view", "ts": "2026-01-14T23:00:00Z"}
                    ]}
                    """);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            // A second batch adds to the same rows.
            http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "tablet-1", "type": "page_view", "ts": "2026-01-15T08:30:00Z"}]}
                    """);

            var stats = http.get("/v1/statistics?from=2026-01-14&to=2026-01-15", a.adminKey());

            assertThat(stats.status()).as(stats.toString()).isEqualTo(200);
            assertThat(rows(stats.json()))
                    .containsExactlyInAnyOrder(
                            "2026-01-14 events page_view 1",
                            "2026-01-14 sessions_by_source direct 1",
                            "2026-01-15 events page_view 3",
                            "2026-01-15 events signup 1",
                            "2026-01-15 sessions_by_source search:google 1",
                            "2026-01-15 sessions_by_source referral 1",
                            "2026-01-15 sessions_by_source direct 1");
            // The campaign is a personal value: counts, which outlive erasure, do not keep it.
            assertThat(stats.body()).doesNotContain("zebulon", "laptop-1", "q=", "quux", "winter-sale");
            assertThat(lethe.strings("select dimension from daily_count_deltas where account_id = ?", a.id()))
                    .isNotEmpty()
                    .noneMatch(d -> d.contains("zebulon") || d.contains("winter-sale"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anotherAccountSeesNoneOfTheseCountsAndABadRangeIsNamed(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY);
            lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}]}
                    """);

            var mine = lethe.http().get("/v1/statistics", a.adminKey()).json().get("counts");
            var theirs = lethe.http().get("/v1/statistics", b.adminKey()).json().get("counts");
            var bad = lethe.http().get("/v1/statistics?from=2026-02-01&to=2026-01-01", a.adminKey());

            assertThat(mine).isNotEmpty();
            assertThat(theirs).isEmpty();
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().at("/errors/0/path").asText()).isEqualTo("from");
        }
    }

    static List<String> rows(JsonNode body) {
        var out = new ArrayList<String>();
        body.get("counts")
                .forEach(c -> out.add(c.get("day").asText() + " "
                        + c.get("metric").asText() + " " + c.get("dimension").asText() + " "
                        + c.get("count").asLong()));
        return out;
    }
}
