package dev.lethe.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.subjects.SubjectTable;
import dev.lethe.testing.Http;
import dev.lethe.testing.Installation;
import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestPolicies;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server killed with SIGKILL in the middle of a bulk deletion: after a restart the job resumes
 * after its last whole batch and completes; each person is erased once, and the one receipt counts
 * exactly the rows the people had, as a run without the crash does.
 */
class BulkDeletionSurvivesKillTest {

    private static final int PEOPLE = 500;

    /**
     * Identifiers per step here, set through the server's environment: five steps in {@link #PEOPLE},
     * so the kill comes after two whole steps and before the end without seeding thousands.
     */
    private static final int BATCH = 100;

    private static final Map<String, String> FAST_HEARTBEAT = Map.of(
            "LETHE_JOB_HEARTBEAT",
            "PT1S",
            "LETHE_JOB_POLL",
            "PT0.2S",
            "LETHE_BULK_DELETION_BATCH",
            String.valueOf(BATCH));

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBulkDeletionKilledMidJobResumesAndErasesEachPersonOnce(TestDatabase engine) throws Exception {
        try (var installation = Installation.on(engine)) {
            String key;
            String accountId;
            try (var server = installation.start(FAST_HEARTBEAT)) {
                var http = server.http();
                var account = http.post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Bulk Kill\"}");
                key = account.json().get("adminKey").asText();
                accountId = account.json().get("id").asText();
                assertThat(http.putYaml("/v1/policy", key, TestPolicies.DATA_CORE)
                                .status())
                        .isEqualTo(201);
                seed(http, key);
                server.stop();
            }
            // what the people have, table by table: what a run without a crash counts
            var census = new HashMap<String, Long>();
            for (var table : SubjectTable.values())
                census.put(
                        table.table(),
                        Long.parseLong(installation
                                .strings("select count(*) from " + table.table() + " where account_id = '" + accountId
                                        + "'")
                                .get(0)));
            census.put("erasures", (long) PEOPLE);
            assertThat(census.get("subjects")).isEqualTo(PEOPLE);

            String job;
            try (var server = installation.start(FAST_HEARTBEAT)) {
                var http = server.http();
                var posted = http.postAs(
                        "/v1/bulk-deletions",
                        key,
                        "text/csv",
                        BulkSeeding.csv(IntStream.range(0, PEOPLE).boxed().toList()));
                assertThat(posted.status()).as(posted.toString()).isEqualTo(202);
                job = posted.json().get("id").asText();
                var midway =
                        BulkSeeding.waitFor(http, key, job, j -> j.get("done").asLong() >= 2L * BATCH, 120);
                server.kill();
                assertThat(midway.get("done").asLong())
                        .as("killed before the end")
                        .isLessThan(PEOPLE);
            }
            try (var server = installation.start(FAST_HEARTBEAT)) {
                var http = server.http();
                var ended = BulkSeeding.ended(http, key, job, 180);
                assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("completed");
                assertThat(ended.get("done").asLong()).isEqualTo(PEOPLE);
                var receipt =
                        http.get("/v1/bulk-deletions/" + job + "/receipt", key).json();
                assertThat(receipt.get("erased").asLong()).isEqualTo(PEOPLE);
                assertThat(receipt.get("alreadyErased").asLong()).isZero();
                assertThat(receipt.get("duplicates").asLong()).isZero();
                for (var table : SubjectTable.values())
                    assertThat(receipt.get("tables").get(table.table()).asLong())
                            .as(table.table())
                            .isEqualTo(census.get(table.table()));
                server.stop();
            }
            // each person erased once, nothing of them left, the staged file gone
            assertThat(installation.strings("select count(*) from erasures")).containsExactly(String.valueOf(PEOPLE));
            assertThat(installation.strings("select count(distinct subject_id) from erasures"))
                    .containsExactly(String.valueOf(PEOPLE));
            for (String table : java.util.List.of("subjects", "identifiers", "personal_values", "subject_keys"))
                assertThat(installation.strings(
                                "select count(*) from " + table + " where account_id = '" + accountId + "'"))
                        .as(table)
                        .containsExactly("0");
            assertThat(installation.strings("select count(*) from job_chunks")).containsExactly("0");
        }
    }

    private static void seed(Http http, String key) throws Exception {
        try (var pool = Executors.newFixedThreadPool(4)) {
            var futures = IntStream.range(0, PEOPLE)
                    .mapToObj(i -> pool.submit(() -> {
                        var r = http.post("/v1/identify", key, """
                                {"visitorId": "bulk-visitor-%d", "identifiers": {"email": "%s"},
                                 "traits": {"name": "Zebulon Bulk %d"}}
                                """.formatted(i, BulkSeeding.email(i), i));
                        assertThat(r.status()).as(r.toString()).isIn(200, 201);
                    }))
                    .toList();
            for (var f : futures) f.get();
        }
    }
}
