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

/** Policy version numbers are serialised by their own lock (the account's row), not the audit head. */
class ConcurrentPolicyVersionTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void policiesSubmittedAtOnceGetConsecutiveVersions(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine);
                var pool = Executors.newFixedThreadPool(4)) {
            var a = lethe.createAccount("Quokka");
            var tasks = new ArrayList<Callable<Integer>>();
            for (int i = 0; i < 6; i++) {
                tasks.add(() -> lethe.http()
                        .putYaml("/v1/policy", a.adminKey(), TestPolicies.SMALL)
                        .status());
            }

            var statuses = new ArrayList<Integer>();
            for (var f : pool.invokeAll(tasks)) statuses.add(f.get());

            assertThat(statuses).containsOnly(201);
            assertThat(lethe.strings(
                            "select version from policy_versions where account_id = ? order by version", a.id()))
                    .containsExactly("1", "2", "3", "4", "5", "6");
            assertThat(lethe.verifyAudit(a.adminKey()).get("entries").asLong()).isEqualTo(7);
        }
    }
}
