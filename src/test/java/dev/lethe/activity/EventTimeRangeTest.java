package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.Lethe;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events are stored only in the months made for them ahead of time, on both engines alike; the
 * partitions are made by a job, never by ingest.
 */
class EventTimeRangeTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEventOutsideTheMonthsMadeIsRefusedWithItsPathAndTheRangeAndNothingIsStored(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = RuleKindAndAnchorTest.account(lethe, "advocacy-platform.yaml");
            Instant now = lethe.clock().instant();
            // within the 5 years of the advocacy platform's events, but before the 24 months made
            Instant tooOld = now.minus(Duration.ofDays(800));

            var r = lethe.http().post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view", "ts": "%s",
                                 "context": {"ip": "203.0.113.9"}}]}
                    """.formatted(tooOld));

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isZero();
            assertThat(r.json().at("/rejected/0/errors/0/path").asText()).isEqualTo("events[0].ts");
            var accepted = lethe.lethe().partitions().accepted();
            assertThat(accepted.start())
                    .isEqualTo(YearMonth.of(2024, 1)
                            .atDay(1)
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant());
            assertThat(r.json().at("/rejected/0/errors/0/message").asText())
                    .contains("outside the accepted range", "2024-01-01T00:00:00Z", "2026-05-01T00:00:00Z");
            assertThat(lethe.count("select count(*) from events where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.count("select count(*) from personal_values where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theMonthsAheadExistBeforeAnyEventArrivesAndMakingThemAgainChangesNothing(TestDatabase engine) {
        assumeTrue(engine.isPostgres(), "only PostgreSQL partitions events");
        try (var lethe = new TestLethe(engine)) {
            var partitions = partitionsOf(lethe);
            // the clock says 2026-01-15: 24 months back, the current month and 3 ahead
            assertThat(partitions).hasSize(28).contains("events_y2024m01", "events_y2026m01", "events_y2026m04");
            assertThat(partitions).doesNotContain("events_default", "events_y2026m05");

            assertThat(lethe.lethe().partitions().prepare()).isEmpty();
            assertThat(partitionsOf(lethe)).isEqualTo(partitions);

            lethe.clock().advance(Duration.ofDays(31));
            assertThat(lethe.lethe().partitions().prepare()).containsExactly(YearMonth.of(2026, 5));
            assertThat(partitionsOf(lethe)).contains("events_y2026m05").hasSize(29);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theMonthsAreMadeAtStartAndAJobKeptInTheDatabaseMakesThemAgainDaily(TestDatabase engine) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (var lethe = new TestLethe(engine)) {
            // made before serving, by the start itself
            assertThat(lethe.lethe().partitions().accepted().start()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
            if (engine.isPostgres()) assertThat(partitionsOf(lethe)).hasSize(28);

            assertThat(lethe.lethe().jobs().names()).contains(Lethe.EVENT_PARTITIONS_JOB);
            // its one row in the database, with its next run
            Instant nextRun = lethe.lethe()
                    .database()
                    .jdbi()
                    .withHandle(h -> h.createQuery("select execution_time from scheduled_tasks where task_name = :t")
                            .bind("t", Lethe.EVENT_PARTITIONS_JOB)
                            .mapTo(OffsetDateTime.class)
                            .one()
                            .toInstant());
            assertThat(nextRun)
                    .as("the next run is a day after the start made the months")
                    .isBetween(started.plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void ingestDoesNotWaitBehindAnOpenDeleteOnEvents(TestDatabase engine) throws Exception {
        assumeTrue(engine.isPostgres(), "only PostgreSQL partitions events");
        try (var lethe = new TestLethe(engine);
                var sweep = DriverManager.getConnection(lethe.jdbcUrl())) {
            var a = RuleKindAndAnchorTest.account(lethe, "advocacy-platform.yaml");
            // a sweep's delete, still open: it holds a lock that any DDL on events would wait for
            sweep.setAutoCommit(false);
            sweep.createStatement()
                    .execute("delete from events where account_id = '00000000-0000-0000-0000-0000000000aa'");

            var r = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> lethe.http().post("/v1/track", a.adminKey(), """
                            {"events": [{"visitorId": "laptop-1", "type": "page_view", "ts": "2026-03-01T10:00:00Z"},
                                        {"visitorId": "laptop-1", "type": "page_view", "ts": "2024-06-01T10:00:00Z"}]}
                            """.replace(
                            "2026-03-01T10:00:00Z", lethe.clock().instant().toString())));
            sweep.rollback();

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(2);
        }
    }

    private static java.util.List<String> partitionsOf(TestLethe lethe) {
        return lethe.strings("""
                select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = 'events'::regclass order by c.relname
                """);
    }
}
