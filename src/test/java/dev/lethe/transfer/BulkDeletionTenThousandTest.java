package dev.lethe.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.subjects.SubjectTable;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 16, done when: a bulk deletion of 10,000 identifiers (a CSV larger than the server's
 * body limit) completes with one receipt whose table counts are the rows those people had, and
 * nothing of them is left: no row names them, no cell holds their emails, a lookup finds no one.
 */
class BulkDeletionTenThousandTest {

    /**
     * 10,000 on PostgreSQL (the production store, always run in CI), 2,000 on the embedded H2,
     * to keep the suite's time; {@code -Dlethe.bulkPeople=N} for another N on both. Seeded by an
     * import, erased in batches.
     */
    static int people(TestDatabase engine) {
        return Integer.getInteger("lethe.bulkPeople", engine.isPostgres() ? 10_000 : 2_000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void tenThousandIdentifiersAreErasedWithOneReceiptAndNothingOfThemIsLeft(TestDatabase engine) throws Exception {
        int n = people(engine);
        try (var lethe = new TestLethe(
                engine, c -> c.withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))))) {
            var a = lethe.createAccount("Bulk Shop");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE)
                            .status())
                    .isEqualTo(201);
            long t0 = System.nanoTime();
            var checked = List.of(0, 1, n / 2, n - 1);
            var people = BulkSeeding.imported(lethe, a, n, checked);
            long seeded = System.nanoTime();
            // what the people have, table by table: what the receipt must count
            var before = new HashMap<String, Long>();
            for (var table : SubjectTable.values())
                before.put(
                        table.table(),
                        lethe.count("select count(*) from " + table.table() + " where account_id = ?", a.id()));
            assertThat(before.get("subjects")).isEqualTo(n);

            // blank lines (skipped) make any N larger than the test server's body limit (200,000 bytes):
            // the upload is streamed, that limit does not apply to it
            String rows = BulkSeeding.csv(IntStream.range(0, n).boxed().toList());
            String csv = rows + "\r\n".repeat(Math.max(0, 210_000 - rows.length()) / 2);
            assertThat(csv.length())
                    .as("larger than the test server's body limit")
                    .isGreaterThan(200_000);
            var posted = http.postAs("/v1/bulk-deletions", a.adminKey(), "text/csv", csv);
            assertThat(posted.status()).as(posted.toString()).isEqualTo(202);
            String job = posted.json().get("id").asText();
            assertThat(posted.json().get("kind").asText()).isEqualTo("bulk-deletion");
            var ended = BulkSeeding.ended(http, a.adminKey(), job, 300);
            long done = System.nanoTime();
            System.out.printf(
                    "bulk deletion %s: %d people seeded in %d ms, erased in %d ms%n",
                    engine, n, (seeded - t0) / 1_000_000, (done - seeded) / 1_000_000);
            assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("completed");
            assertThat(ended.get("total").asLong()).isEqualTo(n);
            assertThat(ended.get("done").asLong()).isEqualTo(n);
            assertThat(ended.get("errors").asLong()).isZero();
            var result = ended.get("result");
            assertThat(result.get("erased").asLong()).isEqualTo(n);
            assertThat(result.get("notFound").asLong()).isZero();
            assertThat(result.get("receipt").asText()).isEqualTo("/v1/bulk-deletions/" + job + "/receipt");

            var receipt = http.get(result.get("receipt").asText(), a.adminKey());
            assertThat(receipt.status()).as(receipt.toString()).isEqualTo(200);
            var r = receipt.json();
            assertThat(r.get("jobId").asText()).isEqualTo(job);
            assertThat(r.get("state").asText()).isEqualTo("completed");
            assertThat(r.get("erased").asLong()).isEqualTo(n);
            assertThat(r.get("alreadyErased").asLong()).isZero();
            assertThat(r.get("startedAt").isNull()).isFalse();
            assertThat(r.get("finishedAt").isNull()).isFalse();
            for (var table : SubjectTable.values()) {
                long expected = table == SubjectTable.ERASURES ? n : before.get(table.table());
                assertThat(r.get("tables").get(table.table()).asLong())
                        .as(table.table())
                        .isEqualTo(expected);
            }
            // the per-person erasure records stay, one each, and their counts sum to the receipt's
            assertThat(lethe.count("select count(*) from erasures where account_id = ?", a.id()))
                    .isEqualTo(n);
            assertThat(lethe.count("select count(distinct subject_id) from erasures where account_id = ?", a.id()))
                    .isEqualTo(n);

            // nothing of them left: no row names them but the erasure records, no cell holds an email
            for (var entry : RawStorage.columns(lethe.jdbcUrl()).entrySet()) {
                if (!entry.getValue().contains("subject_id") || entry.getKey().equals("erasures")) continue;
                assertThat(lethe.count(
                                "select count(*) from " + entry.getKey()
                                        + " where account_id = ? and subject_id is not null",
                                a.id()))
                        .as(entry.getKey())
                        .isZero();
            }
            for (var cell : RawStorage.cells(lethe.jdbcUrl()))
                assertThat(cell.text()).as(cell.table() + "." + cell.column()).doesNotContain(BulkSeeding.DOMAIN);
            for (int i : checked) {
                var found = http.get("/v1/profiles?email=" + BulkSeeding.email(i), a.adminKey());
                assertThat(found.status()).isEqualTo(200);
                assertThat(found.json().get("profiles")).as(found.toString()).isEmpty();
                assertThat(http.get("/v1/profiles/" + people.get(i), a.adminKey())
                                .status())
                        .isIn(404, 410);
            }
            // the staged file is gone with its key
            assertThat(lethe.count("select count(*) from job_chunks")).isZero();
            // audited: start and completion with counts, each erasure by the erasure feature
            var audit = http.get("/v1/audit?action=bulk-deletion.complete", a.adminKey())
                    .json();
            assertThat(audit.get("entries")).hasSize(1);
            assertThat(audit.get("entries").get(0).get("detail").get("erased").asLong())
                    .isEqualTo(n);
        }
    }
}
