package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileInsightsApiTest {

    static final String POLICY = TestPolicies.DATA_CORE.replace(
            "  properties.plan: visit_history\n",
            "  properties.plan: visit_history\n  properties.interest: visit_history\n  context.campaign: visit_history\n");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aProfileShowsTheGoalsItsEventsAchievedItsInterestsCampaignsAndEngagement(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            var goal = http.post("/v1/goals", a.adminKey(), """
                    {"name": "Pro purchase", "eventType": "purchase", "match": {"plan": "pro"}}
                    """);
            assertThat(goal.status()).as(goal.toString()).isEqualTo(201);
            http.post("/v1/goals", a.adminKey(), "{\"name\": \"Any signup\", \"eventType\": \"signup\"}");
            var track = http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "2026-01-14T10:00:00Z",
                       "properties": {"interest": "shoes"}, "context": {"campaign": "winter-sale"}},
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "2026-01-14T10:05:00Z", "properties": {"interest": "shoes"}},
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "2026-01-15T08:00:00Z", "properties": {"interest": "hats"}},
                      {"visitorId": "laptop-1", "type": "purchase", "ts": "2026-01-15T08:10:00Z", "properties": {"plan": "basic"}},
                      {"visitorId": "laptop-1", "type": "purchase", "ts": "2026-01-15T08:20:00Z", "properties": {"plan": "pro"}}
                    ]}
                    """);
            assertThat(track.json().get("accepted").asInt())
                    .as(track.toString())
                    .isEqualTo(5);
            String id = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                    """)
                    .json()
                    .get("profileId")
                    .asText();

            var view = http.get("/v1/profiles/" + id, a.adminKey()).json();

            assertThat(view.get("goals")).hasSize(1);
            assertThat(view.at("/goals/0/name").asText()).isEqualTo("Pro purchase");
            assertThat(view.at("/goals/0/firstAchievedAt").asText()).isEqualTo("2026-01-15T08:20:00Z");
            assertThat(view.at("/interests/0/interest").asText()).isEqualTo("shoes");
            assertThat(view.at("/interests/0/count").asInt()).isEqualTo(2);
            assertThat(view.at("/interests/1/interest").asText()).isEqualTo("hats");
            assertThat(view.at("/campaigns/0/campaign").asText()).isEqualTo("winter-sale");
            assertThat(view.at("/engagement/level").asText()).isIn("medium", "high");
            assertThat(view.at("/engagement/score").asInt()).isBetween(35, 100);
            assertThat(http.get("/v1/goals", a.adminKey()).json().get("goals")).hasSize(2);
            assertThat(http.post("/v1/goals", a.adminKey(), "{\"name\": \"Any signup\", \"eventType\": \"signup\"}")
                            .status())
                    .isEqualTo(409);
            var b = lethe.createAccount("Wombat");
            assertThat(http.get("/v1/goals", b.adminKey()).json().get("goals")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aVisitSummaryKeepsItsImportantEventsAndGoalsAndAGoalDefinedLaterCountsHistory(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            var track = http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "2026-01-15T08:40:00Z"},
                      {"visitorId": "laptop-1", "type": "signup", "ts": "2026-01-15T08:41:00Z"},
                      {"visitorId": "laptop-1", "type": "purchase", "ts": "2026-01-15T08:45:00Z", "properties": {"plan": "basic"}},
                      {"visitorId": "laptop-1", "type": "purchase", "ts": "2026-01-15T08:50:00Z", "properties": {"plan": "pro"}}
                    ]}
                    """);
            assertThat(track.json().get("accepted").asInt())
                    .as(track.toString())
                    .isEqualTo(4);
            String id = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                    """)
                    .json()
                    .get("profileId")
                    .asText();

            var goal = http.post("/v1/goals", a.adminKey(), """
                    {"name": "Pro purchase", "eventType": "purchase", "match": {"plan": "pro"}}
                    """);
            assertThat(goal.status()).as(goal.toString()).isEqualTo(201);
            assertThat(goal.json().get("achievedBefore").asInt())
                    .as("the stored pro purchase counts")
                    .isEqualTo(1);

            var view = http.get("/v1/profiles/" + id, a.adminKey()).json();
            assertThat(view.at("/goals/0/name").asText()).isEqualTo("Pro purchase");
            assertThat(view.at("/goals/0/firstAchievedAt").asText()).isEqualTo("2026-01-15T08:50:00Z");
            var visit = view.at("/visits/0");
            assertThat(visit.get("importantEvents").get("purchase").asInt()).isEqualTo(2);
            assertThat(visit.get("importantEvents").get("signup").asInt()).isEqualTo(1);
            assertThat(visit.get("importantEvents").has("page_view")).isFalse();
            assertThat(visit.get("goals")).extracting(n -> n.asText()).containsExactly("Pro purchase");
            assertThat(visit.get("ended").asBoolean())
                    .as("10 minutes after its last event, within the 30-minute timeout")
                    .isFalse();

            lethe.clock().advance(Duration.ofHours(3));
            http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "purchase", "properties": {"plan": "pro"}}]}
                    """);
            view = http.get("/v1/profiles/" + id, a.adminKey()).json();
            assertThat(view.at("/visits/0/ended").asBoolean()).isTrue();
            assertThat(view.get("visits")).hasSize(2);
            assertThat(view.at("/visits/1/goals/0").asText()).isEqualTo("Pro purchase");
            assertThat(view.at("/goals/0/times").asInt())
                    .as("one from history, one recorded as it arrived")
                    .isEqualTo(2);
            assertThat(lethe.count("select count(*) from goal_hits where subject_id = ?", id))
                    .isEqualTo(2);

            var deleted = http.delete("/v1/goals/" + goal.json().get("goalId").asText(), a.adminKey());
            assertThat(deleted.status()).isEqualTo(204);
            view = http.get("/v1/profiles/" + id, a.adminKey()).json();
            assertThat(view.get("goals")).isEmpty();
            assertThat(lethe.count("select count(*) from goal_hits where subject_id = ?", id))
                    .isZero();
        }
    }

    @Test
    void engagementRisesWithRecentFrequentVisitsAndFadesOverNinetyDays() {
        var now = Instant.parse("2026-06-01T00:00:00Z");
        var tenRecent = java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> now.minus(Duration.ofDays(i)))
                .toList();

        assertThat(Engagement.of(tenRecent, now, now)).isEqualTo(new Engagement(100, "high"));
        assertThat(Engagement.of(List.of(now.minus(Duration.ofDays(45))), now.minus(Duration.ofDays(45)), now))
                .isEqualTo(new Engagement(30, "low"));
        assertThat(Engagement.of(List.of(now.minus(Duration.ofDays(200))), now.minus(Duration.ofDays(200)), now))
                .isEqualTo(new Engagement(0, "none"));
        assertThat(Engagement.of(List.of(), now, now).level()).isEqualTo("none");
    }
}
