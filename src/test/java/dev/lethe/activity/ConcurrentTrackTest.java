package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConcurrentTrackTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void batchesArrivingTogetherForAMonthNotSeenBeforeAreAllStored(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine);
                var pool = Executors.newFixedThreadPool(4)) {
            var a = lethe.createAccount("Quokka");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            var tasks = new ArrayList<Callable<Integer>>();
            for (int month = 1; month <= 3; month++) {
                for (int client = 0; client < 3; client++) {
                    String body =
                            "{\"events\": [{\"visitorId\": \"v-%d-%d\", \"type\": \"page_view\", \"ts\": \"2025-%02d-10T10:00:00Z\"}]}"
                                    .formatted(month, client, month + 9);
                    tasks.add(() ->
                            lethe.http().post("/v1/track", a.adminKey(), body).status());
                }
            }

            var statuses = new ArrayList<Integer>();
            for (var f : pool.invokeAll(tasks)) {
                try {
                    statuses.add(f.get());
                } catch (ExecutionException e) {
                    throw new AssertionError(e.getCause());
                }
            }

            assertThat(statuses).containsOnly(202);
            assertThat(lethe.count("select count(*) from events where account_id = ?", a.id()))
                    .isEqualTo(9);
        }
    }
}
