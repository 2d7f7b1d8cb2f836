package dev.lethe.retention;

import static dev.lethe.retention.Sweeping.rule;
import static dev.lethe.retention.Sweeping.sweep;
import static dev.lethe.retention.Sweeping.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole months of expired events on PostgreSQL ({@link MonthDrops}): a month holding only one
 * account's expired events goes whole (its partition dropped before the window of months kept,
 * emptied inside it), with exactly the counts the row path gives; a month that also holds another
 * account's event, or a held person's, is left to the row path, which deletes what may go. A preview
 * counts the same as the sweep. The same scenarios run on H2, which has no partitions: everything
 * goes by the row path there, and the counts asserted are the same, which is what shows the two
 * paths count alike. The partition assertions are PostgreSQL's only.
 */
class MonthDropsTest {

    /** Events kept {@code %s}; the visited URL a value of the event, kept five years by its category. */
    static final String POLICY = """
      lethe: 1
      controller: { name: "Month Shop BV", contact: "privacy@month.example" }
      subjects:
        visitor: { description: "Website visitors" }
      categories:
        visit_history: { purpose: measurement, lawfulBasis: legitimate_interests, source: tracking, subjects: [visitor], retention: { period: P5Y } }
      fields:
        context.url: visit_history
      records:
        complete_session: { kind: session, retention: { period: P5Y, then: summarise } }
        session_summary: { kind: session_summary, retention: { period: P5Y } }
        event: { kind: event, retention: { period: %s } }
      """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMonthOfOneAccountsExpiredEventsGoesWholeAndOneSharedWithAnotherAccountGoesRowByRow(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var http = lethe.http();
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            http.putYaml("/v1/policy", a.adminKey(), POLICY.formatted("P2Y"));
            http.putYaml("/v1/policy", b.adminKey(), POLICY.formatted("P2Y"));
            // the clock says 2026-01-15: February 2024 is Quokka's alone, March 2024 is shared
            for (int i = 1; i <= 3; i++) track(http, a.adminKey(), "a" + i, "2024-02-1" + i + "T10:00:00Z");
            for (int i = 4; i <= 6; i++) track(http, a.adminKey(), "a" + i, "2024-03-1" + i + "T10:00:00Z");
            track(http, b.adminKey(), "b1", "2024-03-20T10:00:00Z");
            long february = filenode(lethe, engine, "events_y2024m02");
            long march = filenode(lethe, engine, "events_y2024m03");

            // April 2026: both months expired through their end; before the 24 months kept
            lethe.clock().set(Instant.parse("2026-04-15T00:00:00Z"));
            var preview = http.post("/v1/sweeps", a.adminKey(), "{\"dryRun\": true}");
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            assertThat(events(lethe, a.id())).as("a preview changes nothing").isEqualTo(6);
            assertThat(filenode(lethe, engine, "events_y2024m02")).isEqualTo(february);

            var swept = sweep(http, a.adminKey());
            assertThat(withoutTimes(preview.json().get("rules")))
                    .as("the preview equals the sweep")
                    .isEqualTo(withoutTimes(swept.get("rules")));
            var events = rule(swept, "records.event");
            assertThat(events.get("affected").asLong()).as(swept.toString()).isEqualTo(6);
            assertThat(events.get("derived").asLong()).as("their URLs").isEqualTo(6);
            assertThat(events(lethe, a.id())).isZero();
            assertThat(eventValues(lethe, a.id())).isZero();
            assertThat(events(lethe, b.id()))
                    .as("Wombat's event is Wombat's policy's")
                    .isEqualTo(1);
            if (engine.isPostgres()) {
                assertThat(partitions(lethe))
                        .as("February 2024 held only Quokka's expired events: dropped")
                        .doesNotContain("events_y2024m02")
                        .contains("events_y2024m03");
                assertThat(filenode(lethe, engine, "events_y2024m03"))
                        .as("March 2024 also held Wombat's event: deleted row by row, not emptied")
                        .isEqualTo(march);
            }

            // Wombat's own sweep: March now holds only its expired event
            var wombat = sweep(http, b.adminKey());
            assertThat(rule(wombat, "records.event").get("affected").asLong()).isEqualTo(1);
            assertThat(rule(wombat, "records.event").get("derived").asLong()).isEqualTo(1);
            assertThat(events(lethe, b.id())).isZero();
            if (engine.isPostgres()) assertThat(partitions(lethe)).doesNotContain("events_y2024m03");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aHeldPersonKeepsTheirMonthForTheRowPathUntilTheHoldIsLifted(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var http = lethe.http();
            var a = lethe.createAccount("Quokka");
            http.putYaml("/v1/policy", a.adminKey(), POLICY.formatted("P1Y"));
            // inside the months kept (from January 2024 to April 2026): emptied, never dropped
            track(http, a.adminKey(), "held", "2025-03-10T10:00:00Z");
            track(http, a.adminKey(), "free", "2025-03-11T10:00:00Z");
            track(http, a.adminKey(), "other", "2025-04-11T10:00:00Z");
            String held = lethe.strings(
                            "select subject_id from events where account_id = ? and occurred_at = ?",
                            UUID.fromString(a.id()),
                            java.time.OffsetDateTime.parse("2025-03-10T10:00:00Z"))
                    .get(0);
            String hold = http.post("/v1/legal-holds", a.adminKey(), """
                            {"profileId": "%s", "reason": "Dispute 2026-4"}
                            """.formatted(held))
                    .json()
                    .get("id")
                    .asText();
            long march = filenode(lethe, engine, "events_y2025m03");
            long april = filenode(lethe, engine, "events_y2025m04");

            lethe.clock().set(Instant.parse("2026-05-15T00:00:00Z"));
            var preview = http.post("/v1/sweeps", a.adminKey(), "{\"dryRun\": true}");
            var swept = sweep(http, a.adminKey());
            assertThat(withoutTimes(preview.json().get("rules"))).isEqualTo(withoutTimes(swept.get("rules")));
            var events = rule(swept, "records.event");
            assertThat(events.get("affected").asLong()).isEqualTo(2);
            assertThat(events.get("derived").asLong()).isEqualTo(2);
            assertThat(events.get("held").asLong()).isEqualTo(1);
            assertThat(events.get("heldBy").get(0).get("holdId").asText()).isEqualTo(hold);
            assertThat(events(lethe, a.id()))
                    .as("the held person's event stays")
                    .isEqualTo(1);
            if (engine.isPostgres()) {
                assertThat(filenode(lethe, engine, "events_y2025m03"))
                        .as("March 2025 holds a held person's event: row by row")
                        .isEqualTo(march);
                assertThat(filenode(lethe, engine, "events_y2025m04"))
                        .as("April 2025 held only expired events: emptied whole, kept (inside the window)")
                        .isNotEqualTo(april);
                assertThat(partitions(lethe)).contains("events_y2025m04");
            }

            assertThat(http.delete("/v1/legal-holds/" + hold, a.adminKey()).status())
                    .isEqualTo(200);
            var lifted = sweep(http, a.adminKey());
            assertThat(rule(lifted, "records.event").get("affected").asLong()).isEqualTo(1);
            assertThat(rule(lifted, "records.event").get("derived").asLong()).isEqualTo(1);
            assertThat(events(lethe, a.id())).isZero();
            if (engine.isPostgres())
                assertThat(filenode(lethe, engine, "events_y2025m03"))
                        .as("now only expired events: emptied whole")
                        .isNotEqualTo(march);
        }
    }

    private static void track(Http http, String key, String visitor, String at) {
        var r = http.post("/v1/track", key, """
                {"events": [{"visitorId": "%s", "type": "page_view", "ts": "%s",
                  "context": {"url": "https://shop.example/p/%s"}}]}
                """.formatted(visitor, at, visitor));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode json = r.json();
        assertThat(json.get("accepted").asInt()).as(r.toString()).isEqualTo(1);
    }

    private static long events(TestLethe lethe, String account) {
        return lethe.count("select count(*) from events where account_id = ?", UUID.fromString(account));
    }

    private static long eventValues(TestLethe lethe, String account) {
        return lethe.count(
                "select count(*) from personal_values where account_id = ? and record_kind = 'event'",
                UUID.fromString(account));
    }

    /** The partition's file: a new one after TRUNCATE, the same after row deletes. */
    private static long filenode(TestLethe lethe, TestDatabase engine, String partition) {
        if (!engine.isPostgres()) return 0;
        return lethe.count("select pg_relation_filenode(to_regclass(?))", partition);
    }

    private static java.util.List<String> partitions(TestLethe lethe) {
        return lethe.strings(
                "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'events'::regclass");
    }
}
