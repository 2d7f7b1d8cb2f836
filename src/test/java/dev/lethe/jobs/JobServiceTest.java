package dev.lethe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The governed-job core: a job recorded in a transaction runs on the scheduler, reports its
 * progress and errors through the API, keeps its files sealed in the database and loses them when
 * it ends, can be cancelled while it runs, and fails with the reason its work gave.
 */
class JobServiceTest {

    private static TestLethe lethe(TestDatabase engine) {
        return new TestLethe(
                engine, config -> config.withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))));
    }

    private static Caller admin(TestLethe.Tenant tenant) {
        return new Caller(tenant.id(), TestLethe.keyIdOf(tenant.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");
    }

    private static String submit(TestLethe lethe, TestLethe.Tenant tenant, JobKind kind) {
        var service = lethe.lethe().transferJobs();
        String id = service.newId();
        lethe.lethe()
                .database()
                .jdbi()
                .useTransaction(h -> service.create(
                        h,
                        admin(tenant),
                        id,
                        new JobService.NewJob(kind, JobState.QUEUED, Map.of("mode", "test"), "secret".getBytes())));
        service.start(tenant.id(), id);
        return id;
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private static String state(TestLethe lethe, String key, String id) {
        return lethe.http().get("/v1/jobs/" + id, key).json().get("state").asText();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aJobRunsInStepsReportsProgressAndErrorsAndItsFilesGoWhenItEnds(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Jobs Shop");
            var service = lethe.lethe().transferJobs();
            byte[] written = new byte[JobFiles.CHUNK_BYTES * 2 + 12345];
            for (int i = 0; i < written.length; i++) written[i] = (byte) (i * 31 + 7);
            var read = new byte[1][];
            service.replace(JobKind.EXPORT, run -> {
                var personal = lethe.lethe().database().jdbi().withHandle(run::sealedParams);
                assertThat(personal)
                        .hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("secret"));
                run.total(10);
                try (var out = run.files().create(run.accountId(), run.jobId(), "out")) {
                    out.write(written);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                try (InputStream in = run.files().open(run.accountId(), run.jobId(), "out")) {
                    read[0] = in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (int step = 1; step <= 10; step++) {
                    int s = step;
                    lethe.lethe().database().jdbi().useTransaction(h -> {
                        if (s % 4 == 0) run.error(h, s, "email", "not an email address");
                        run.checkpoint(h, s, "row-" + s);
                    });
                }
            });
            String id = submit(lethe, a, JobKind.EXPORT);
            waitFor(() -> state(lethe, a.adminKey(), id).equals("completed"), "the job to complete");

            assertThat(read[0]).as("the file reads back as written").isEqualTo(written);
            var job = lethe.http().get("/v1/jobs/" + id, a.adminKey()).json();
            assertThat(job.get("kind").asText()).isEqualTo("export");
            assertThat(job.get("total").asLong()).isEqualTo(10);
            assertThat(job.get("done").asLong()).isEqualTo(10);
            assertThat(job.get("errors").asLong()).isEqualTo(2);
            assertThat(job.get("params").get("mode").asText()).isEqualTo("test");
            assertThat(job.get("startedAt").isNull()).isFalse();
            assertThat(job.get("finishedAt").isNull()).isFalse();
            assertThat(job.get("requestedBy").asText()).isEqualTo(TestLethe.keyIdOf(a.adminKey()));

            var first = lethe.http()
                    .get("/v1/jobs/" + id + "/errors?limit=1", a.adminKey())
                    .json();
            assertThat(first.get("errors")).hasSize(1);
            assertThat(first.get("errors").get(0).get("row").asLong()).isEqualTo(4);
            assertThat(first.get("errors").get(0).get("column").asText()).isEqualTo("email");
            var second = lethe.http()
                    .get(
                            "/v1/jobs/" + id + "/errors?limit=1&cursor="
                                    + first.get("nextCursor").asText(),
                            a.adminKey())
                    .json();
            assertThat(second.get("errors").get(0).get("row").asLong()).isEqualTo(8);

            assertThat(lethe.http()
                            .get("/v1/jobs?kind=export", a.adminKey())
                            .json()
                            .get("jobs"))
                    .hasSize(1);
            assertThat(lethe.http()
                            .get("/v1/jobs?kind=import", a.adminKey())
                            .json()
                            .get("jobs"))
                    .isEmpty();
            // a job that ended without keeping its files has none left, and their key is gone
            assertThat(lethe.count("select count(*) from job_chunks")).isZero();
            assertThat(lethe.count("select count(*) from jobs where sealed is not null"))
                    .isZero();
            Assertions.assertThatThrownBy(() -> {
                        try (var in = service.files().open(a.id(), id, "out")) {
                            in.readAllBytes();
                        }
                    })
                    .isInstanceOf(IOException.class);
            assertThat(lethe.count("select count(*) from audit_log where action = 'job.completed'"))
                    .isEqualTo(1);
            // another account sees none of it
            var b = lethe.createAccount("Other Shop");
            assertThat(lethe.http().get("/v1/jobs/" + id, b.adminKey()).status())
                    .isEqualTo(404);
            assertThat(lethe.http().get("/v1/jobs", b.adminKey()).json().get("jobs"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aJobTurnedAwayForWantOfAThreadRunsWhenTheRunBeforeItEndsNotAtTheResumeTasksNextLook(TestDatabase engine)
            throws Exception {
        // two scheduler threads: one for governed jobs, one kept for the recurring tasks
        try (var lethe = new TestLethe(
                engine,
                config -> config.withJobs(Jobs.Settings.DEFAULT
                        .withPollInterval(Duration.ofMillis(100))
                        .withThreads(2)))) {
            var a = lethe.createAccount("Busy Shop");
            var release = new CountDownLatch(1);
            var firstRunning = new CountDownLatch(1);
            lethe.lethe().transferJobs().replace(JobKind.EXPORT, run -> {
                if (run.params().get("mode").equals("test") && firstRunning.getCount() > 0) {
                    firstRunning.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            String first = submit(lethe, a, JobKind.EXPORT);
            assertThat(firstRunning.await(30, TimeUnit.SECONDS)).isTrue();
            String second = submit(lethe, a, JobKind.EXPORT);
            // its run came and found no thread free: it waits, queued
            Thread.sleep(500);
            assertThat(state(lethe, a.adminKey(), second)).isEqualTo("queued");

            release.countDown();
            waitFor(() -> state(lethe, a.adminKey(), first).equals("completed"), "the first job to complete");
            Instant freed = Instant.now();
            waitFor(() -> state(lethe, a.adminKey(), second).equals("completed"), "the second job to complete");
            // the resume task looks once a minute; the second job was asked for again at once
            assertThat(Duration.between(freed, Instant.now())).isLessThan(Duration.ofSeconds(15));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRunningJobStopsAtItsNextStepWhenCancelledAndAFailureKeepsItsReason(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Jobs Shop");
            var service = lethe.lethe().transferJobs();
            var running = new CountDownLatch(1);
            service.replace(JobKind.IMPORT, run -> {
                for (int step = 1; ; step++) {
                    int s = step;
                    lethe.lethe().database().jdbi().useTransaction(h -> run.checkpoint(h, s, String.valueOf(s)));
                    running.countDown();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            String id = submit(lethe, a, JobKind.IMPORT);
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            var cancel = lethe.http().post("/v1/jobs/" + id + "/cancel", a.adminKey(), "");
            assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
            waitFor(() -> state(lethe, a.adminKey(), id).equals("cancelled"), "the job to stop");
            assertThat(lethe.http()
                            .get("/v1/jobs/" + id, a.adminKey())
                            .json()
                            .get("cancelRequested")
                            .asBoolean())
                    .isTrue();
            var again = lethe.http().post("/v1/jobs/" + id + "/cancel", a.adminKey(), "");
            assertThat(again.status()).as(again.toString()).isEqualTo(409);
            assertThat(again.contentType()).startsWith("application/problem+json");

            service.replace(JobKind.BULK_DELETION, run -> {
                throw new JobFailure("the file has no identifier column");
            });
            String failing = submit(lethe, a, JobKind.BULK_DELETION);
            waitFor(() -> state(lethe, a.adminKey(), failing).equals("failed"), "the job to fail");
            assertThat(lethe.http()
                            .get("/v1/jobs/" + failing, a.adminKey())
                            .json()
                            .get("failure")
                            .asText())
                    .isEqualTo("the file has no identifier column");

            assertThat(lethe.http().get("/v1/jobs?kind=nope", a.adminKey()).status())
                    .isEqualTo(400);
            assertThat(lethe.http().get("/v1/jobs?cursor=abc", a.adminKey()).status())
                    .isEqualTo(400);
            assertThat(lethe.http().get("/v1/jobs/not-an-id", a.adminKey()).status())
                    .isEqualTo(404);
            assertThat(Arrays.asList(JobState.values())).allMatch(s -> JobState.fromWire(s.wireName()) == s);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRunTakenOverByALaterOneRecordsNothingMoreAndAFileCutShortNeverReadsAsWhole(TestDatabase engine)
            throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Jobs Shop");
            var service = lethe.lethe().transferJobs();
            var jdbi = lethe.lethe().database().jdbi();
            var firstStep = new CountDownLatch(1);
            var takenOver = new CountDownLatch(1);
            var refused = new java.util.concurrent.atomic.AtomicReference<JobStopped.Why>();
            var unfinished = new java.util.concurrent.atomic.AtomicReference<Throwable>();
            service.replace(JobKind.EXPORT, run -> {
                // a file whose writer stopped before its last chunk never reads as whole
                var writer = run.files().create(run.accountId(), run.jobId(), "cut");
                try {
                    writer.write(new byte[JobFiles.CHUNK_BYTES + 10]);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                writer.abort();
                try (var in = run.files().open(run.accountId(), run.jobId(), "cut")) {
                    in.readAllBytes();
                } catch (IOException e) {
                    unfinished.set(e);
                }
                jdbi.useTransaction(h -> run.checkpoint(h, 1, "1"));
                firstStep.countDown();
                try {
                    assertThat(takenOver.await(30, TimeUnit.SECONDS)).isTrue();
                    jdbi.useTransaction(h -> {
                        run.error(h, 2, "email", "must not be recorded");
                        run.checkpoint(h, 2, "2");
                    });
                } catch (JobStopped e) {
                    refused.set(e.why());
                    throw e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            String id = submit(lethe, a, JobKind.EXPORT);
            assertThat(firstStep.await(30, TimeUnit.SECONDS)).isTrue();
            // what the scheduler does when it thinks a run's server dead: another run takes the job
            jdbi.useTransaction(h -> service.store().nextRun(h, a.id(), id));
            takenOver.countDown();
            waitFor(() -> refused.get() != null, "the old run to be refused");

            assertThat(refused.get()).isEqualTo(JobStopped.Why.SUPERSEDED);
            assertThat(unfinished.get()).isInstanceOf(JobFiles.Gone.class);
            var job = lethe.http().get("/v1/jobs/" + id, a.adminKey()).json();
            assertThat(job.get("state").asText())
                    .as("the old run does not end the job")
                    .isEqualTo("running");
            assertThat(job.get("done").asLong()).isEqualTo(1);
            assertThat(lethe.count("select count(*) from job_errors"))
                    .as("its step rolled back")
                    .isZero();
        }
    }
}
