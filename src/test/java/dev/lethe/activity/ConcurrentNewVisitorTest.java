package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several /v1/track batches arriving together, each introducing the same visitors for the first
 * time: every batch is stored, and each visitor ends as one subject with one key.
 */
class ConcurrentNewVisitorTest {

    private static final int ROUNDS = 4;
    private static final int BATCHES = 6;
    private static final int EVENTS_PER_VISITOR = 5;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void batchesIntroducingTheSameNewVisitorAtOnceAllSucceedAndShareOneSubject(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine);
                var pool = Executors.newFixedThreadPool(BATCHES)) {
            var a = lethe.createAccount("Quokka");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var statuses = new ArrayList<Integer>();
            for (int round = 0; round < ROUNDS; round++) {
                // Two new visitors per round, named in a different order by alternate batches, so
                // batches also contend for them in opposite orders.
                String first = "wombat-laptop-" + round;
                String second = "wombat-phone-" + round;
                var start = new CountDownLatch(1);
                var tasks = new ArrayList<Callable<Integer>>();
                for (int b = 0; b < BATCHES; b++) {
                    String body = batch(b % 2 == 0 ? first : second, b % 2 == 0 ? second : first, b);
                    tasks.add(() -> {
                        start.await();
                        return lethe.http()
                                .post("/v1/track", a.adminKey(), body)
                                .status();
                    });
                }
                var futures = tasks.stream().map(pool::submit).toList();
                start.countDown();
                for (var f : futures) {
                    try {
                        statuses.add(f.get());
                    } catch (ExecutionException e) {
                        throw new AssertionError(e.getCause());
                    }
                }
            }

            assertThat(statuses).hasSize(ROUNDS * BATCHES).containsOnly(202);
            int visitors = ROUNDS * 2;
            assertThat(lethe.count("select count(*) from events where account_id = ?", a.id()))
                    .isEqualTo((long) ROUNDS * BATCHES * 2 * EVENTS_PER_VISITOR);
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and field = 'context.ip'",
                            a.id()))
                    .isEqualTo((long) ROUNDS * BATCHES * 2 * EVENTS_PER_VISITOR);
            // one identifier per visitor, and every event on the subject that identifier names
            assertThat(lethe.count(
                            "select count(*) from identifiers where account_id = ? and kind = 'visitorId'", a.id()))
                    .isEqualTo(visitors);
            assertThat(lethe.count("select count(distinct subject_id) from events where account_id = ?", a.id()))
                    .isEqualTo(visitors);
            assertThat(lethe.count("""
                            select count(*) from events e where e.account_id = ? and not exists (
                              select 1 from identifiers i
                              where i.account_id = e.account_id and i.subject_id = e.subject_id)
                            """, a.id())).isZero();
            assertThat(lethe.count("""
                            select count(*) from personal_values v where v.account_id = ? and not exists (
                              select 1 from identifiers i
                              where i.account_id = v.account_id and i.subject_id = v.subject_id)
                            """, a.id())).isZero();
            // no orphan: exactly one subject and one subject key per visitor
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isEqualTo(visitors);
            assertThat(lethe.count("select count(*) from subject_keys where account_id = ?", a.id()))
                    .isEqualTo(visitors);
            assertThat(lethe.count("""
                            select count(*) from subjects s where s.account_id = ? and not exists (
                              select 1 from identifiers i
                              where i.account_id = s.account_id and i.subject_id = s.subject_id)
                            """, a.id())).isZero();
            assertThat(lethe.count("""
                            select count(*) from subject_keys k where k.account_id = ? and not exists (
                              select 1 from subjects s
                              where s.account_id = k.account_id and s.subject_id = k.subject_id)
                            """, a.id())).isZero();
        }
    }

    private static String batch(String one, String other, int b) {
        var events = new ArrayList<String>();
        for (int i = 0; i < EVENTS_PER_VISITOR; i++) {
            for (String visitor : new String[] {one, other}) {
                events.add("{\"visitorId\": \"%s\", \"type\": \"page_view\", \"context\": {\"ip\": \"203.0.113.%d\"}}"
                        .formatted(visitor, b * 10 + i));
            }
        }
        return "{\"events\": [" + String.join(",", events) + "]}";
    }
}
