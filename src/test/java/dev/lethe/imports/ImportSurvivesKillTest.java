package dev.lethe.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.testing.Installation;
import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real server committing an import of 10,000 rows is killed with SIGKILL mid-commit: no row is
 * half applied (every imported person has every imported value, or is not there at all, and the
 * job's recorded progress is exactly what is there), and after a restart the job resumes from its
 * checkpoint and completes with every row applied once.
 */
class ImportSurvivesKillTest {

    private static final int ROWS = 3 * Imports.BATCH;
    private static final Map<String, String> SETTINGS =
            Map.of("LETHE_JOB_HEARTBEAT", "PT1S", "LETHE_JOB_POLL", "PT0.2S");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCommitKilledMidwayLeavesWholeRowsAndFinishesAfterRestart(TestDatabase engine) throws Exception {
        try (var installation = Installation.on(engine)) {
            String adminKey;
            String jobId;
            try (var server = installation.start(SETTINGS)) {
                var http = server.http();
                adminKey = http.post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Wombat\"}")
                        .json()
                        .get("adminKey")
                        .asText();
                assertThat(http.putYaml("/v1/policy", adminKey, ImportTest.POLICY)
                                .status())
                        .isEqualTo(201);
                var file = new StringBuilder("email,externalId,traits.firstName,fields.age\r\n");
                for (int i = 1; i <= ROWS; i++)
                    file.append("kill.")
                            .append(i)
                            .append("@import.example,K-")
                            .append(i)
                            .append(",Name")
                            .append(i)
                            .append(',')
                            .append(i % 90)
                            .append("\r\n");
                var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/imports"))
                        .header("Authorization", "Bearer " + adminKey)
                        .header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofString(file.toString(), StandardCharsets.UTF_8))
                        .build();
                try (var client = HttpClient.newHttpClient()) {
                    var r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    jobId = JSON.readTree(r.body()).get("id").asText();
                }
                var staged = waitFor(server, adminKey, jobId, "staged", 0);
                assertThat(staged.get("result").get("create").asLong()).isEqualTo(ROWS);
                assertThat(http.post("/v1/imports/" + jobId + "/commit", adminKey, "{}")
                                .status())
                        .isEqualTo(202);
                // some batches are applied, not all: kill then
                waitFor(server, adminKey, jobId, "running", 2 * Imports.BATCH);
                server.kill();
            }
            long done = Long.parseLong(installation
                    .strings("select done from jobs where job_id = '" + jobId + "'")
                    .get(0));
            long people = count(installation, "select count(*) from identifiers where kind = 'email'");
            assertThat(people).as("killed mid-commit").isPositive().isLessThan(ROWS);
            // every person imported has every imported value, and the job's progress says exactly how many
            assertThat(done).isEqualTo(people);
            assertThat(count(installation, "select count(*) from identifiers where kind = 'externalId'"))
                    .isEqualTo(people);
            for (String field :
                    new String[] {"identifiers.email", "identifiers.externalId", "traits.firstName", "traits.age"})
                assertThat(count(
                                installation,
                                "select count(distinct subject_id) from personal_values where field = '" + field + "'"))
                        .as(field)
                        .isEqualTo(people);

            try (var server = installation.start(SETTINGS)) {
                JsonNode completed;
                try {
                    completed = waitFor(server, adminKey, jobId, "completed", 0);
                } catch (AssertionError e) {
                    var log = java.nio.file.Files.readAllLines(
                            installation.dataDir().resolve("server.log"));
                    log.removeIf(line -> line.contains("route=/v1/jobs/{id}") || line.startsWith("\tat "));
                    System.out.println(String.join("\n", log.subList(Math.max(0, log.size() - 200), log.size())));
                    throw e;
                }
                assertThat(completed.get("result").get("created").asLong()).isEqualTo(ROWS);
                assertThat(completed.get("result").get("errors").asLong()).isZero();
                server.stop();
            }
            assertThat(count(installation, "select count(*) from identifiers where kind = 'email'"))
                    .isEqualTo(ROWS);
            for (String field : new String[] {"identifiers.email", "traits.firstName", "traits.age"})
                assertThat(count(installation, "select count(*) from personal_values where field = '" + field + "'"))
                        .as(field + ": each row applied once")
                        .isEqualTo(ROWS);
            assertThat(count(installation, "select count(*) from job_chunks")).isZero();
        }
    }

    private static long count(Installation installation, String sql) {
        return Long.parseLong(installation.strings(sql).get(0));
    }

    private static JsonNode waitFor(ServerProcess server, String key, String id, String state, long atLeast)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(360);
        while (true) {
            var job = server.http().get("/v1/jobs/" + id, key).json();
            if (job.get("state").asText().equals(state) && job.get("done").asLong() >= atLeast) return job;
            assertThat(job.get("state").asText()).as(job.toString()).isNotIn("failed", "cancelled", "expired");
            assertThat(Instant.now()).as("waiting for " + state + ": " + job).isBefore(deadline);
            Thread.sleep(atLeast > 0 ? 5 : 200);
        }
    }
}
