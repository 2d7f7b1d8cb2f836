package dev.lethe.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scheduler sweeps every account on its own, every {@code --sweep-interval}: expired data goes
 * without anyone asking, the sweep is recorded as the scheduler's, and the metrics say when each
 * account was last swept successfully, so an alert can fire when sweeping stops.
 */
class ScheduledSweepTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theSchedulerSweepsEveryAccountAndTheMetricsSayWhen(TestDatabase engine) throws InterruptedException {
        try (var lethe = new TestLethe(
                engine,
                config -> config.withSweepInterval(Duration.ofSeconds(1))
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))))) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), SweepsApiTest.ADVOCACY);
            SweepsApiTest.person(http, a.adminKey(), "v-1", "one@example.org");
            assertThat(SweepsApiTest.ipValues(lethe)).isEqualTo(1);
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofDays(121)));

            Instant deadline = Instant.now().plusSeconds(30);
            while (SweepsApiTest.ipValues(lethe) > 0 && Instant.now().isBefore(deadline)) Thread.sleep(100);
            assertThat(SweepsApiTest.ipValues(lethe))
                    .as("the scheduled sweep removed the expired IP address")
                    .isZero();
            while (lethe.count("select count(*) from sweeps where status = 'succeeded'") == 0
                    && Instant.now().isBefore(deadline)) Thread.sleep(100);
            assertThat(lethe.strings("select started_by from sweeps where status = 'succeeded'"))
                    .isNotEmpty()
                    .allMatch("scheduler"::equals);
            var metrics = http.get("/metrics", null).body();
            assertThat(metrics).contains("lethe_sweep_last_success_seconds{account=\"" + a.id() + "\"}");
            assertThat(metrics).contains("lethe_sweep_rows_total{action=\"delete\",rule=\"categories.ip_address\"}");
        }
    }
}
