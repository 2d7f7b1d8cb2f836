package dev.lethe.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bulk deletion over HTTP: CSV and JSON files, identifiers that name nobody reported by row and
 * column (never by value), the same person twice counted once, people erased before counted apart,
 * an empty file, a cancel mid-job, and files that are not lists of identifiers refused with
 * nothing erased.
 */
class BulkDeletionApiTest {

    /** Identifiers per step here: small, so that a test spanning a few steps seeds few people. */
    static final int BATCH = 50;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    private static TestLethe lethe(TestDatabase engine) {
        return new TestLethe(
                engine,
                c -> c.withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100)))
                        .withTransfers(
                                new TransferSettings(Duration.ofHours(24), 1, Duration.ofDays(1), 64 * 1024, BATCH)));
    }

    private static String account(TestLethe lethe, TestLethe.Tenant a) {
        var r = lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return a.adminKey();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void notFoundIdentifiersAreErrorsWithRowAndColumnAndAPersonNamedTwiceCountsOnce(TestDatabase engine)
            throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Bulk Errors");
            String key = account(lethe, a);
            var http = lethe.http();
            var people = BulkSeeding.people(lethe, a, 0, 4);

            // JSON: person 0 twice (email in another case), person 1 by profile id twice, person 2 by email,
            // an unknown email, a text that is no email, an id that names nobody
            String json = """
                    {"identifiers": [
                      {"email": "%s"},
                      {"email": "  %s  "},
                      {"profileId": "%s"},
                      {"email": "nobody-zebulon@%s"},
                      {"email": "not-an-email-zebulon"},
                      {"profileId": "%s"},
                      {"email": "%s"},
                      {"profileId": "019bc0e2-1280-77b9-b2d6-617b6ce6b870"}
                    ]}""".formatted(
                            BulkSeeding.email(0),
                            BulkSeeding.email(0).toUpperCase(java.util.Locale.ROOT),
                            people.get(1),
                            BulkSeeding.DOMAIN,
                            people.get(1),
                            BulkSeeding.email(2));
            var posted = postJson(lethe, key, json);
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            var job = new com.fasterxml.jackson.databind.ObjectMapper().readTree(posted.body());
            String id = job.get("id").asText();
            assertThat(posted.headers().firstValue("Location")).hasValue("/v1/jobs/" + id);
            var ended = BulkSeeding.ended(http, key, id, 60);
            assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("completed");
            assertThat(ended.get("total").asLong()).isEqualTo(8);
            assertThat(ended.get("errors").asLong()).isEqualTo(3);
            var receipt = http.get("/v1/bulk-deletions/" + id + "/receipt", key).json();
            assertThat(receipt.get("erased").asLong()).isEqualTo(3);
            assertThat(receipt.get("duplicates").asLong()).isEqualTo(2);
            assertThat(receipt.get("notFound").asLong()).isEqualTo(3);
            assertThat(receipt.get("alreadyErased").asLong()).isZero();
            assertThat(receipt.get("tables").get("subjects").asLong()).isEqualTo(3);
            assertThat(receipt.get("tables").get("identifiers").asLong()).isEqualTo(3 * 2); // email + visitor id
            assertThat(lethe.count("select count(*) from erasures where account_id = ?", a.id()))
                    .isEqualTo(3);
            var errors = http.get("/v1/jobs/" + id + "/errors", key).json().get("errors");
            var seen = new ArrayList<String>();
            errors.forEach(e -> seen.add(e.get("row").asLong() + " "
                    + e.get("column").asText() + " " + e.get("reason").asText()));
            assertThat(seen)
                    .containsExactly(
                            "4 email no such person", "5 email is not an email address", "8 profileId no such person");
            // person 3 was not named: untouched
            assertThat(lethe.count(
                            "select count(*) from subjects where account_id = ? and subject_id = ?",
                            a.id(),
                            people.get(3)))
                    .isEqualTo(1);

            // CSV (BOM, CRLF, a quoted value, blank lines): person 0 again is already erased, person 3 now
            String csv = "\uFEFFemail\r\n" + BulkSeeding.email(0) + "\r\n\r\n\"" + BulkSeeding.email(3) + "\"\r\n";
            var second = http.postAs("/v1/bulk-deletions", key, "text/csv; charset=utf-8", csv);
            assertThat(second.status()).as(second.toString()).isEqualTo(202);
            String id2 = second.json().get("id").asText();
            assertThat(BulkSeeding.ended(http, key, id2, 60).get("state").asText())
                    .isEqualTo("completed");
            var r2 = http.get("/v1/bulk-deletions/" + id2 + "/receipt", key).json();
            assertThat(r2.get("erased").asLong()).isEqualTo(1);
            assertThat(r2.get("alreadyErased").asLong()).isEqualTo(1);
            assertThat(r2.get("notFound").asLong()).isZero();

            // a file with no rows completes with zero counts
            var empty = http.postAs("/v1/bulk-deletions", key, "text/csv", "externalId\n");
            assertThat(empty.status()).as(empty.toString()).isEqualTo(202);
            String id3 = empty.json().get("id").asText();
            var ended3 = BulkSeeding.ended(http, key, id3, 60);
            assertThat(ended3.get("state").asText()).isEqualTo("completed");
            assertThat(ended3.get("result").get("erased").asLong()).isZero();
            var r3 = http.get("/v1/bulk-deletions/" + id3 + "/receipt", key).json();
            assertThat(r3.get("erased").asLong()).isZero();
            assertThat(r3.get("notFound").asLong()).isZero();
            assertThat(r3.get("tables").size()).isZero();
            var emptyJson = postJson(lethe, key, "{\"identifiers\": []}");
            assertThat(emptyJson.statusCode()).isEqualTo(202);
            String id4 = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(emptyJson.body())
                    .get("id")
                    .asText();
            assertThat(BulkSeeding.ended(http, key, id4, 60).get("state").asText())
                    .isEqualTo("completed");

            // not a bulk deletion, or nobody's: 404
            assertThat(http.get("/v1/bulk-deletions/019bc0e2-1280-77b9-b2d6-617b6ce6b870/receipt", key)
                            .status())
                    .isEqualTo(404);
            var other = lethe.createAccount("Other Shop");
            assertThat(http.get("/v1/bulk-deletions/" + id + "/receipt", other.adminKey())
                            .status())
                    .isEqualTo(404);

            // no identifier in clear in any table or log line; the files are gone
            assertThat(lethe.count("select count(*) from job_chunks")).isZero();
            for (var cell : RawStorage.cells(lethe.jdbcUrl()))
                assertThat(cell.text())
                        .as(cell.table() + "." + cell.column())
                        .doesNotContain(BulkSeeding.DOMAIN)
                        .doesNotContain("zebulon");
            for (var event : logs.events())
                assertThat(event.getFormattedMessage() + " " + java.util.Arrays.toString(event.getArgumentArray()))
                        .doesNotContain(BulkSeeding.DOMAIN)
                        .doesNotContain("not-an-email-zebulon");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void legalHoldsOnPeopleOfTheBatchAndOnACategoryKeepWhatTheyKeep(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Bulk Holds");
            String key = account(lethe, a);
            var http = lethe.http();
            var people = BulkSeeding.people(lethe, a, 0, 4);
            // one person held whole, and every name held: the batch locks both holds before its people
            var onPerson = http.post("/v1/legal-holds", key, """
                    {"profileId": "%s", "reason": "Invoice 2026-117 unpaid"}
                    """.formatted(people.get(1)));
            assertThat(onPerson.status()).as(onPerson.toString()).isEqualTo(201);
            String personHold = onPerson.json().get("id").asText();
            var onNames = http.post("/v1/legal-holds", key, """
                    {"category": "name", "reason": "Court file 7/2026"}
                    """);
            assertThat(onNames.status()).as(onNames.toString()).isEqualTo(201);

            var posted = http.postAs("/v1/bulk-deletions", key, "text/csv", BulkSeeding.csv(List.of(0, 1, 2, 3)));
            assertThat(posted.status()).as(posted.toString()).isEqualTo(202);
            String id = posted.json().get("id").asText();
            var ended = BulkSeeding.ended(http, key, id, 60);
            assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("completed");
            var receipt = http.get("/v1/bulk-deletions/" + id + "/receipt", key).json();
            assertThat(receipt.get("erased").asLong()).isEqualTo(4);
            var held = receipt.get("heldCategories");
            assertThat(held.get("name").get("values").asLong())
                    .as(held.toString())
                    .isEqualTo(4);
            assertThat(held.get("email_address").get("values").asLong())
                    .as(held.toString())
                    .isEqualTo(1);
            assertThat(held.get("email_address").get("holds").get(0).asText()).isEqualTo(personHold);
            // the held values stay (every name, the held person's email), the rest and the people go
            assertThat(lethe.count("select count(*) from personal_values where account_id = ?", a.id()))
                    .isEqualTo(5);
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.count("select count(*) from legal_holds where account_id = ?", a.id()))
                    .isEqualTo(2);
            assertThat(lethe.count("select count(*) from suppressions where account_id = ?", a.id()))
                    .as("each person's email and visitor id on the suppression list")
                    .isEqualTo(8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCancelMidJobKeepsThoseErasedSoFarErasedAndLeavesTheRestUntouched(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Bulk Cancel");
            String key = account(lethe, a);
            var http = lethe.http();
            int n = 4 * BATCH;
            var people = BulkSeeding.people(lethe, a, 0, n);
            String blocker = people.get(2 * BATCH + 10);
            var jdbi = lethe.lethe().database().jdbi();
            String id;
            // the third batch waits for a person another transaction holds: the cancel comes meanwhile,
            // the third batch then commits whole and the job stops before the fourth
            try (var hold = jdbi.open()) {
                hold.begin();
                hold.createQuery("select subject_id from subjects where account_id = :a and subject_id = :s for update")
                        .bind("a", a.id())
                        .bind("s", blocker)
                        .mapTo(String.class)
                        .one();
                var posted = http.postAs(
                        "/v1/bulk-deletions",
                        key,
                        "text/csv",
                        BulkSeeding.csv(IntStream.range(0, n).boxed().toList()));
                assertThat(posted.status()).as(posted.toString()).isEqualTo(202);
                id = posted.json().get("id").asText();
                BulkSeeding.waitFor(http, key, id, j -> j.get("done").asLong() == 2L * BATCH, 60);
                var cancel = http.post("/v1/jobs/" + id + "/cancel", key, "{}");
                assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
                assertThat(cancel.json().get("cancelRequested").asBoolean()).isTrue();
                hold.rollback();
            }
            var ended = BulkSeeding.ended(http, key, id, 60);
            assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("cancelled");
            var receipt = http.get("/v1/bulk-deletions/" + id + "/receipt", key).json();
            assertThat(receipt.get("state").asText()).isEqualTo("cancelled");
            assertThat(receipt.get("erased").asLong()).isEqualTo(3L * BATCH);
            assertThat(receipt.get("tables").get("subjects").asLong()).isEqualTo(3L * BATCH);
            // those erased stay erased, the rest untouched
            assertThat(lethe.count("select count(*) from erasures where account_id = ?", a.id()))
                    .isEqualTo(3L * BATCH);
            for (int i = 0; i < n; i++) {
                long left = lethe.count(
                        "select count(*) from subjects where account_id = ? and subject_id = ?", a.id(), people.get(i));
                assertThat(left).as("person " + i).isEqualTo(i < 3 * BATCH ? 0 : 1);
            }
            var found = http.get("/v1/profiles?email=" + BulkSeeding.email(n - 1), key);
            assertThat(found.json().get("profiles")).hasSize(1);
            assertThat(lethe.count("select count(*) from job_chunks")).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void filesThatAreNotListsOfIdentifiersAreRefusedAndEraseNobody(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Bulk Hostile");
            String key = account(lethe, a);
            var http = lethe.http();
            BulkSeeding.people(lethe, a, 0, 2);
            String zero = BulkSeeding.email(0);

            // refused up front: no job made
            for (var bad : List.of(
                    List.of("text/csv", "name\n" + zero + "\n", "header"),
                    List.of("text/csv", "email,phone\n" + zero + ",+32471234567\n", "header"),
                    List.of("text/csv", "", "header"),
                    List.of("application/json", "[{\"email\": \"" + zero + "\"}]", "body"),
                    List.of("application/json", "{\"people\": []}", "body"),
                    List.of("application/json", "{\"identifiers\": {\"email\": \"" + zero + "\"}}", "identifiers"),
                    List.of("application/json", "nonsense", "body"))) {
                var r = http.postAs("/v1/bulk-deletions", key, bad.get(0), bad.get(1));
                assertThat(r.status()).as(bad + " " + r).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().get("errors").get(0).get("path").asText()).isEqualTo(bad.get(2));
                assertThat(r.body()).doesNotContain(zero);
            }
            assertThat(http.get("/v1/jobs", key).json().get("jobs")).isEmpty();
            assertThat(http.postAs("/v1/bulk-deletions", key, "text/plain", "email\n" + zero)
                            .status())
                    .isEqualTo(415);

            // malformed further on: 422, the job made for the upload discarded, nobody erased
            for (var bad : List.of(
                    List.of("text/csv", "email\n" + zero + "\n" + BulkSeeding.email(1) + ",extra\n", "row 2"),
                    List.of("text/csv", "email\n" + zero + "\n\"unclosed\n", "row 2"),
                    List.of("application/json", "{\"identifiers\": [{\"ema", "identifiers[0]"),
                    List.of(
                            "application/json",
                            "{\"identifiers\": [{\"email\": \"" + zero + "\"}, {\"email\": 42}]}",
                            "identifiers[1].email"),
                    List.of(
                            "application/json",
                            "{\"identifiers\": [{\"email\": \"" + zero + "\"}, {\"email\": \"a\", \"phone\": \"b\"}]}",
                            "identifiers[1]"),
                    List.of(
                            "application/json",
                            "{\"identifiers\": [{\"email\": \"" + zero + "\"}]} trailing",
                            "body"))) {
                var r = http.postAs("/v1/bulk-deletions", key, bad.get(0), bad.get(1));
                assertThat(r.status()).as(bad + " " + r).isEqualTo(422);
                assertThat(r.json().get("errors").get(0).get("path").asText()).isEqualTo(bad.get(2));
                assertThat(r.body()).doesNotContain(zero);
            }
            // nothing kept of a refused file: no job, no chunk, no key
            assertThat(http.get("/v1/jobs", key).json().get("jobs")).isEmpty();
            assertThat(lethe.count("select count(*) from job_chunks")).isZero();

            // larger than the largest upload (64 KiB here): 413, nothing kept
            var big = new StringBuilder("email\n");
            while (big.length() < 70 * 1024) big.append(zero).append('\n');
            var r = http.postAs("/v1/bulk-deletions", key, "text/csv", big.toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(413);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(lethe.count("select count(*) from job_chunks")).isZero();
            assertThat(lethe.count("select count(*) from jobs")).isZero();
            assertThat(lethe.count("select count(*) from erasures")).isZero();
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isEqualTo(2);
            // an ingest or read key may not
            var read = lethe.createKey(key, "read");
            assertThat(http.postAs("/v1/bulk-deletions", read.key(), "text/csv", "email\n" + zero)
                            .status())
                    .isEqualTo(403);
        }
    }

    private static HttpResponse<String> postJson(TestLethe lethe, String key, String json) throws Exception {
        var client = HttpClient.newHttpClient();
        return client.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + lethe.lethe().port() + "/v1/bulk-deletions"))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
