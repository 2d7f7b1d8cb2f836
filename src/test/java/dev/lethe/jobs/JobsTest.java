package dev.lethe.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lethe.storage.Database;
import dev.lethe.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Background jobs run from the database: with several servers on one database a recurring task
 * runs one run at a time and keeps running while any server is up; a failed run is logged and the
 * task runs again one interval later. Servers here are separate pools on one database, as separate
 * processes would be; they poll every 50 ms so that the tests wait little (runs are real time).
 */
class JobsTest {

    private static final Jobs.Settings QUICK = Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(50));

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void twoServersRunARecurringTaskOneRunAtATimeAndOneKeepsItGoingWhenTheOtherStops(TestDatabase engine) {
        try (var fresh = engine.fresh();
                var first = Database.open(fresh.settings());
                var second = Database.open(fresh.settings())) {
            var running = new AtomicInteger();
            var mostAtOnce = new AtomicInteger();
            var runsOnFirst = new AtomicInteger();
            var runsOnSecond = new AtomicInteger();
            try (var a = new Jobs(first, QUICK);
                    var b = new Jobs(second, QUICK)) {
                a.recurring("tally", Duration.ofMillis(100), () -> run(running, mostAtOnce, runsOnFirst));
                b.recurring("tally", Duration.ofMillis(100), () -> run(running, mostAtOnce, runsOnSecond));
                a.start();
                b.start();

                eventually(() -> runsOnFirst.get() + runsOnSecond.get() >= 12, "twelve runs in all");
                a.close();
                int secondBefore = runsOnSecond.get();
                int firstAfterClose = runsOnFirst.get();
                eventually(() -> runsOnSecond.get() >= secondBefore + 4, "four more runs on the second server");

                assertThat(runsOnFirst.get()).as("a closed server runs nothing").isEqualTo(firstAfterClose);
            }
            assertThat(mostAtOnce.get()).as("runs of the task at the same time").isEqualTo(1);
            int rows = Jdbi.create(first.dataSource())
                    .withHandle(h -> h.createQuery("select count(*) from scheduled_tasks where task_name = 'tally'")
                            .mapTo(Integer.class)
                            .one());
            assertThat(rows)
                    .as("one row for the task, however many servers registered it")
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRunThatThrowsIsLoggedWithoutItsStackTraceAndTheTaskRunsAgainOneIntervalLater(TestDatabase engine) {
        var logged = new ListAppender<ILoggingEvent>();
        var logger = (Logger) LoggerFactory.getLogger(Jobs.class);
        logged.start();
        logger.addAppender(logged);
        try (var fresh = engine.fresh();
                var database = Database.open(fresh.settings());
                var jobs = new Jobs(database, QUICK)) {
            Duration interval = Duration.ofMillis(500);
            var runs = new CopyOnWriteArrayList<Instant>();
            jobs.recurring("flaky", interval, () -> {
                runs.add(Instant.now());
                if (runs.size() == 1) throw new IllegalStateException("the first run fails");
            });
            jobs.start();

            eventually(() -> runs.size() >= 2, "a second run");

            assertThat(Duration.between(runs.get(0), runs.get(1)))
                    .as("the next run waits its interval after the failed one")
                    .isGreaterThanOrEqualTo(interval);
            List<ILoggingEvent> warnings =
                    logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage())
                    .contains("job=flaky", "error=java.lang.IllegalStateException", "reason=the first run fails");
            assertThat(warnings.get(0).getThrowableProxy()).as("no stack trace").isNull();
            eventually(
                    () -> Jdbi.create(database.dataSource())
                                    .withHandle(h -> h.createQuery("""
                                    select count(*) from scheduled_tasks where task_name = 'flaky'
                                    and last_failure is not null and last_success > last_failure
                                    and consecutive_failures = 0""")
                                            .mapTo(Integer.class)
                                            .one())
                            == 1,
                    "the task's row records the failure and the success after it");
        } finally {
            logger.detachAppender(logged);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aNewTaskFirstRunsOneIntervalAfterStartAndItsRowSurvivesARestart(TestDatabase engine) {
        try (var fresh = engine.fresh();
                var database = Database.open(fresh.settings())) {
            var jdbi = Jdbi.create(database.dataSource());
            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            var runs = new AtomicInteger();
            try (var jobs = new Jobs(database, QUICK)) {
                jobs.recurring("daily-chore", Duration.ofDays(1), runs::incrementAndGet);
                jobs.start();
                // several polls pass: the task is not due before tomorrow
                LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
            }
            Instant next = nextRun(jdbi, "daily-chore");
            assertThat(runs.get()).isZero();
            assertThat(next)
                    .isBetween(before.plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1)));

            try (var jobs = new Jobs(database, QUICK)) {
                jobs.recurring("daily-chore", Duration.ofDays(1), runs::incrementAndGet);
                jobs.start();
            }
            assertThat(nextRun(jdbi, "daily-chore"))
                    .as("a restart keeps the next run")
                    .isEqualTo(next);

            try (var jobs = new Jobs(database, QUICK)) {
                jobs.recurring("daily-chore", Duration.ofHours(1), runs::incrementAndGet);
                jobs.start();
            }
            assertThat(nextRun(jdbi, "daily-chore"))
                    .as("a shorter interval brings the next run forward")
                    .isBefore(Instant.now().plus(Duration.ofHours(1)).plusSeconds(1));
        }
    }

    @Test
    void closeIsPromptWhileARunIsStillGoing() throws InterruptedException {
        var engine = new TestDatabase("h2", "jdbc:h2:mem:");
        try (var fresh = engine.fresh();
                var database = Database.open(fresh.settings())) {
            var started = new CountDownLatch(1);
            var jobs = new Jobs(
                    database,
                    new Jobs.Settings(Duration.ofMillis(50), 1, Duration.ofMinutes(1), Duration.ofMillis(200)));
            jobs.recurring("stuck", Duration.ofMillis(100), () -> {
                started.countDown();
                LockSupport.parkNanos(Duration.ofMinutes(5).toNanos());
            });
            jobs.start();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

            long t0 = System.nanoTime();
            jobs.close();

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void tasksAreRegisteredBeforeStartUnderNamesOfTheirOwn() {
        var engine = new TestDatabase("h2", "jdbc:h2:mem:");
        try (var fresh = engine.fresh();
                var database = Database.open(fresh.settings());
                var jobs = new Jobs(database, QUICK)) {
            jobs.recurring("one", Duration.ofMinutes(1), () -> {});

            assertThatThrownBy(() -> jobs.recurring("one", Duration.ofMinutes(5), () -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already registered");
            assertThatThrownBy(() -> jobs.recurring("two", Duration.ZERO, () -> {}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> jobs.recurring("x".repeat(101), Duration.ofMinutes(1), () -> {}))
                    .isInstanceOf(IllegalArgumentException.class);
            jobs.start();
            assertThatThrownBy(() -> jobs.recurring("late", Duration.ofMinutes(1), () -> {}))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(jobs.names()).containsExactly("one");
        }
    }

    /** One run: counts how many runs are going at once, and takes long enough to overlap another. */
    private static void run(AtomicInteger running, AtomicInteger mostAtOnce, AtomicInteger runs) {
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            LockSupport.parkNanos(Duration.ofMillis(60).toNanos());
        } finally {
            running.decrementAndGet();
            runs.incrementAndGet();
        }
    }

    private static Instant nextRun(Jdbi jdbi, String task) {
        return jdbi.withHandle(h -> h.createQuery("select execution_time from scheduled_tasks where task_name = :t")
                .bind("t", task)
                .mapTo(OffsetDateTime.class)
                .one()
                .toInstant());
    }

    /** Waits, up to 30 seconds, for what background runs bring about. */
    private static void eventually(BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("not within 30 s: " + what);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
