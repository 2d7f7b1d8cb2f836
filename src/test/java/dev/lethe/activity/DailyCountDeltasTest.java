package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Counts are insert-only deltas: concurrent batches of one account counting the same day, metric
 * and dimension never wait on one total row, and a roll-up folds committed deltas into the totals
 * without losing one still in flight.
 */
class DailyCountDeltasTest {

    static final LocalDate DAY = LocalDate.parse("2026-01-15");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void batchesCountingTheSameThingAtOnceDoNotWaitForEachOtherAndAllAreCounted(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine);
                var pool = Executors.newFixedThreadPool(2)) {
            String account = lethe.createAccount("Quokka").id();
            var jdbi = lethe.lethe().database().jdbi();
            var store = new JdbcStatisticsStore(lethe.lethe().database().dialect());
            var secondDone = new CountDownLatch(1);
            var firstAdded = new CountDownLatch(1);
            // The first batch adds its counts and stays open until the second is done (at most 20 s).
            Future<Boolean> first = pool.submit(() -> jdbi.inTransaction(h -> {
                store.add(h, account, List.of(pageViews(3)));
                firstAdded.countDown();
                return secondDone.await(20, TimeUnit.SECONDS);
            }));
            assertThat(firstAdded.await(10, TimeUnit.SECONDS)).isTrue();

            Future<?> second =
                    pool.submit(() -> jdbi.useTransaction(h -> store.add(h, account, List.of(pageViews(4)))));
            second.get(30, TimeUnit.SECONDS);
            secondDone.countDown();

            assertThat(first.get(30, TimeUnit.SECONDS))
                    .as("the second batch committed while the first was still open")
                    .isTrue();
            assertThat(counts(jdbi, store, account)).containsExactly(pageViews(7));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRollUpFoldsCommittedDeltasIntoTotalsAndLeavesOneInFlightForTheNext(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine);
                var pool = Executors.newFixedThreadPool(1)) {
            String account = lethe.createAccount("Quokka").id();
            var jdbi = lethe.lethe().database().jdbi();
            var store = new JdbcStatisticsStore(lethe.lethe().database().dialect());
            var rollUp = new StatisticsRollUp(jdbi, store);
            jdbi.useTransaction(h -> store.add(h, account, List.of(pageViews(2), signups(1))));
            jdbi.useTransaction(h -> store.add(h, account, List.of(pageViews(5))));
            var rolledUp = new CountDownLatch(1);
            var added = new CountDownLatch(1);
            Future<Boolean> inFlight = pool.submit(() -> jdbi.inTransaction(h -> {
                store.add(h, account, List.of(pageViews(10)));
                added.countDown();
                return rolledUp.await(20, TimeUnit.SECONDS);
            }));
            assertThat(added.await(10, TimeUnit.SECONDS)).isTrue();

            long folded = rollUp.rollUp(account);
            rolledUp.countDown();
            assertThat(inFlight.get(30, TimeUnit.SECONDS)).isTrue();

            assertThat(folded).isEqualTo(3);
            assertThat(lethe.count(
                            "select total from daily_counts where account_id = ? and metric = 'events'"
                                    + " and dimension = 'page_view'",
                            account))
                    .isEqualTo(7);
            assertThat(counts(jdbi, store, account)).containsExactly(pageViews(17), signups(1));
            assertThat(rollUp.rollUpAll()).isEqualTo(1);
            assertThat(lethe.count("select count(*) from daily_count_deltas where account_id = ?", account))
                    .isZero();
            assertThat(counts(jdbi, store, account)).containsExactly(pageViews(17), signups(1));
        }
    }

    static DailyCount pageViews(long n) {
        return new DailyCount(DAY, "events", "page_view", n);
    }

    static DailyCount signups(long n) {
        return new DailyCount(DAY, "events", "signup", n);
    }

    static List<DailyCount> counts(Jdbi jdbi, StatisticsStore store, String account) {
        return jdbi.withHandle(h -> store.between(h, account, DAY, DAY));
    }
}
