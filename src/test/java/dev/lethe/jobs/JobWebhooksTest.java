package dev.lethe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.webhooks.Receiver;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A background job's end reaches the account's webhooks: job.completed and job.failed, with the
 * job's id, kind and counts, sent to a real receiver; a cancelled job announces nothing.
 */
class JobWebhooksTest {

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private static String submit(TestLethe lethe, TestLethe.Tenant tenant, JobKind kind) {
        var service = lethe.lethe().transferJobs();
        String id = service.newId();
        var admin = new Caller(tenant.id(), TestLethe.keyIdOf(tenant.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");
        lethe.lethe()
                .database()
                .jdbi()
                .useTransaction(h ->
                        service.create(h, admin, id, new JobService.NewJob(kind, JobState.QUEUED, Map.of(), null)));
        service.start(tenant.id(), id);
        return id;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCompletedAndAFailedJobAreAnnouncedToTheAccountsWebhooks(TestDatabase engine) throws Exception {
        var outbox = OutboxSettings.DEFAULT
                .withDeliveryInterval(Duration.ofMillis(200))
                .withWebhooks(OutboxSettings.Webhooks.DEFAULT.withAllowPrivate(true));
        try (var receiver = new Receiver(200);
                var lethe = new TestLethe(
                        engine,
                        config -> config.withOutbox(outbox)
                                .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))))) {
            var a = lethe.createAccount("Job Hooks");
            var made = lethe.http().post("/v1/webhooks", a.adminKey(), """
                    {"url": "%s", "events": ["job.completed", "job.failed"]}""".formatted(receiver.url("/jobs")));
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            var service = lethe.lethe().transferJobs();
            service.replace(JobKind.EXPORT, run -> {});
            service.replace(JobKind.BULK_DELETION, run -> {
                throw new JobFailure("the file has no identifier column");
            });

            String done = submit(lethe, a, JobKind.EXPORT);
            String failed = submit(lethe, a, JobKind.BULK_DELETION);
            waitFor(() -> receiver.received().size() == 2, "both events");
            var bodies =
                    receiver.received().stream().map(Receiver.Received::body).toList();
            assertThat(bodies)
                    .anySatisfy(b -> assertThat(b)
                            .contains("\"event\":\"job.completed\"")
                            .contains(done)
                            .contains("\"kind\":\"export\""));
            assertThat(bodies)
                    .anySatisfy(b -> assertThat(b)
                            .contains("\"event\":\"job.failed\"")
                            .contains(failed)
                            .contains("\"kind\":\"bulk-deletion\"")
                            .doesNotContain("identifier column"));
        }
    }
}
