package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConcurrentSubmissionTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void policiesSubmittedAtTheSameTimeAllBecomeConsecutiveVersions(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine);
                var pool = Executors.newFixedThreadPool(4)) {
            var a = lethe.createAccount("Zebulon");
            var tasks = new ArrayList<Callable<Integer>>();
            for (int i = 0; i < 8; i++) {
                String policy = TestPolicies.SMALL.replace("P120D", "P" + (100 + i) + "D");
                tasks.add(() ->
                        lethe.http().putYaml("/v1/policy", a.adminKey(), policy).status());
            }

            var statuses = pool.invokeAll(tasks).stream()
                    .map(f -> {
                        try {
                            return f.get();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();

            assertThat(statuses).containsOnly(201);
            var versions = lethe.policyVersions(a.adminKey());
            assertThat(versions).extracting(v -> v.get("version").asInt()).containsExactly(8, 7, 6, 5, 4, 3, 2, 1);
            assertThat(lethe.verifyAudit(a.adminKey()).get("intact").asBoolean())
                    .isTrue();
        }
    }
}
