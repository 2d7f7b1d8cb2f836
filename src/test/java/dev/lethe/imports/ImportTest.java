package dev.lethe.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.jobs.Jobs;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import dev.lethe.transfer.TransferSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Imports: a file with malformed rows previews exactly their errors and commits exactly the valid
 * rows; ignore-empty and clear-empty; RFC 4180 files as spreadsheets write them; hostile uploads;
 * and neither the file nor an imported email is left in the clear anywhere.
 */
class ImportTest {

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    static final String POLICY = TestPolicies.IMPORTS;

    static final ObjectMapper JSON = new ObjectMapper();

    static TestLethe lethe(TestDatabase engine, long maxUpload) {
        return new TestLethe(
                engine,
                config -> config.toBuilder()
                        .jobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100)))
                        .transfers(new TransferSettings(Duration.ofHours(24), 1, Duration.ofDays(1), maxUpload, 500))
                        .build());
    }

    static TestLethe.Tenant tenant(TestLethe lethe) {
        var a = lethe.createAccount("Wombat Imports");
        var r = lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY);
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return a;
    }

    record Answer(int status, JsonNode json, String location) {}

    static Answer upload(TestLethe lethe, String key, String mode, byte[] body, String type) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + lethe.lethe().port() + "/v1/imports" + (mode == null ? "" : "?mode=" + mode)))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try (var client = HttpClient.newHttpClient()) {
            var r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    r.statusCode(),
                    r.body().isEmpty() ? null : JSON.readTree(r.body()),
                    r.headers().firstValue("Location").orElse(null));
        }
    }

    static JsonNode job(TestLethe lethe, String key, String id) {
        return lethe.http().get("/v1/jobs/" + id, key).json();
    }

    static JsonNode waitFor(TestLethe lethe, String key, String id, String state) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            var job = job(lethe, key, id);
            if (job.get("state").asText().equals(state)) return job;
            assertThat(job.get("state").asText())
                    .as("job %s: %s", id, job)
                    .isNotIn("failed", "completed", "cancelled", "expired");
            assertThat(Instant.now()).as("waiting for " + state + ": " + job).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    static String commit(TestLethe lethe, String key, String id) throws InterruptedException {
        var r = lethe.http().post("/v1/imports/" + id + "/commit", key, "{}");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return id;
    }

    static List<JsonNode> errors(TestLethe lethe, String key, String id) {
        var out = new ArrayList<JsonNode>();
        lethe.http()
                .get("/v1/jobs/" + id + "/errors?limit=1000", key)
                .json()
                .get("errors")
                .forEach(out::add);
        return out;
    }

    static byte[] csv(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static final String DONE_WHEN = "email,firstName_unused\n"; // not used

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aFileWithThreeMalformedRowsPreviewsThreeErrorsAndCommitsTheSevenOthers(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine, 1 << 20)) {
            var a = tenant(lethe);
            String template =
                    lethe.http().get("/v1/imports/template.csv", a.adminKey()).body();
            assertThat(template.strip())
                    .isEqualTo("email,phone,externalId,subjectType,traits.firstName,traits.topic,fields.age");
            String file = """
                    email,externalId,traits.firstName,fields.age
                    wombat.one@import.example,W-1,Wilma,31
                    wombat.two@import.example,W-2,Walter,32
                    not-an-email,W-3,Wanda,33
                    wombat.four@import.example,W-4,Wendel,34
                    wombat.five@import.example,W-5,Wyatt,35
                    wombat.six@import.example,W-6,Winona,thirty-six
                    wombat.seven@import.example,W-7,Wes,37
                    wombat.eight@import.example,W-8,Wren,38
                    wombat.nine@import.example,W-9
                    wombat.ten@import.example,W-10,Wolfgang,40
                    """;
            var up = upload(lethe, a.adminKey(), null, csv(file), "text/csv");
            assertThat(up.status()).as(String.valueOf(up.json())).isEqualTo(202);
            String id = up.json().get("id").asText();
            assertThat(up.location()).isEqualTo("/v1/jobs/" + id);
            var staged = waitFor(lethe, a.adminKey(), id, "staged");
            var result = staged.get("result");
            assertThat(result.get("create").asLong()).isEqualTo(7);
            assertThat(result.get("error").asLong()).isEqualTo(3);
            assertThat(result.get("mode").asText()).isEqualTo("ignore-empty");
            var errs = errors(lethe, a.adminKey(), id);
            assertThat(errs).hasSize(3);
            assertThat(errs.stream()
                            .map(e -> e.get("row").asLong() + ":"
                                    + e.get("column").asText()))
                    .containsExactly("3:email", "6:fields.age", "9:traits.firstName");
            // the preview, paged: actions and column names, never a value
            var first = lethe.http().get("/v1/imports/" + id + "/preview?limit=4", a.adminKey());
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.json().get("rows")).hasSize(4);
            assertThat(first.json().get("rows").get(0).get("action").asText()).isEqualTo("create");
            assertThat(first.json().get("rows").get(2).get("action").asText()).isEqualTo("error");
            assertThat(first.json().get("rows").get(0).get("fields").toString())
                    .contains("email", "externalId", "traits.firstName", "fields.age");
            assertThat(first.body()).doesNotContain("wombat.one", "Wilma");
            String cursor = first.json().get("nextCursor").asText();
            var rest = lethe.http()
                    .get("/v1/imports/" + id + "/preview?limit=100&cursor=" + cursor, a.adminKey())
                    .json();
            assertThat(rest.get("rows")).hasSize(6);
            assertThat(rest.get("nextCursor").isNull()).isTrue();
            // nothing is written before the commit
            assertThat(lethe.count("select count(*) from identifiers where account_id = ?", UUID.fromString(a.id())))
                    .isZero();

            commit(lethe, a.adminKey(), id);
            var done = waitFor(lethe, a.adminKey(), id, "completed");
            assertThat(done.get("result").get("created").asLong()).isEqualTo(7);
            assertThat(done.get("result").get("errors").asLong()).isEqualTo(3);
            assertThat(errors(lethe, a.adminKey(), id)).hasSize(3);
            var profiles =
                    lethe.http().get("/v1/profiles?limit=100", a.adminKey()).json();
            assertThat(profiles.get("profiles")).hasSize(7);
            // imported people have no visitor: only their email and external id are indexed
            assertThat(lethe.count(
                            "select count(*) from identifiers where account_id = ? and kind = 'visitorId'",
                            UUID.fromString(a.id())))
                    .isZero();
            assertThat(lethe.count(
                            "select count(*) from identifiers where account_id = ? and kind = 'email'",
                            UUID.fromString(a.id())))
                    .isEqualTo(7);
            // a commit twice is refused
            assertThat(lethe.http()
                            .post("/v1/imports/" + id + "/commit", a.adminKey(), "{}")
                            .status())
                    .isEqualTo(409);
            // the file and the preview rows are gone; nothing of the file is in the clear anywhere
            assertThat(lethe.count("select count(*) from job_chunks where job_id = ?", UUID.fromString(id)))
                    .isZero();
            assertThat(lethe.count("select count(*) from import_rows where job_id = ?", UUID.fromString(id)))
                    .isZero();
            for (var cell : RawStorage.cells(lethe.jdbcUrl()))
                assertThat(cell.text())
                        .as(cell.toString())
                        .doesNotContain("wombat.one@import.example", "wombat.ten@import.example", "Wolfgang");
            assertThat(logs.events())
                    .noneMatch(e -> e.getFormattedMessage().contains("wombat.")
                            || String.valueOf(e.getArgumentArray() == null ? "" : List.of(e.getArgumentArray()))
                                    .contains("wombat."));
        }
    }

    static JsonNode profileByEmail(TestLethe lethe, String key, String tenant, String email) {
        var list = lethe.http().get("/v1/profiles?limit=100", key).json().get("profiles");
        for (var p : list) {
            String id = p.get("id").asText();
            var view = lethe.http().get("/v1/profiles/" + id, key).json();
            if (view.toString().contains(email)) return view;
        }
        throw new AssertionError("no profile with " + email + " in " + list);
    }

    /**
     * New people of a batch are made together; a later row of the same batch naming one of them
     * again (by the same email, or by an identifier the first row gave) updates that person, as
     * if the rows had been applied one by one: no second profile, and the last value wins. One
     * audit entry names every person the batch made, with counts and no value.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void rowsNamingAPersonMadeEarlierInTheSameBatchUpdateThatPerson(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine, 1 << 20)) {
            var a = tenant(lethe);
            var up = upload(
                    lethe,
                    a.adminKey(),
                    "ignore-empty",
                    csv("email,externalId,traits.firstName,fields.age\n"
                            + "wallaby@import.example,W-1,Wanda,30\n"
                            + "numbat@import.example,,Ned,\n"
                            + "wallaby@import.example,,Wilma,\n"
                            + ",W-1,,31\n"),
                    "text/csv");
            String id = up.json().get("id").asText();
            var staged = waitFor(lethe, a.adminKey(), id, "staged");
            // the preview reads what is held before the import: every row is a new person's
            assertThat(staged.get("result").get("create").asLong()).isEqualTo(4);
            commit(lethe, a.adminKey(), id);
            var done = waitFor(lethe, a.adminKey(), id, "completed").get("result");
            assertThat(done.get("created").asLong()).as(done.toString()).isEqualTo(2);
            assertThat(done.get("updated").asLong()).as(done.toString()).isEqualTo(2);
            assertThat(done.get("errors").asLong()).as(done.toString()).isZero();
            var profiles = lethe.http()
                    .get("/v1/profiles?limit=100", a.adminKey())
                    .json()
                    .get("profiles");
            assertThat(profiles.size()).isEqualTo(2);
            var wallaby = profileByEmail(lethe, a.adminKey(), a.id(), "wallaby@import.example");
            assertThat(wallaby.toString())
                    .contains("W-1")
                    .contains("Wilma")
                    .contains("31")
                    .doesNotContain("Wanda");
            var numbat = profileByEmail(lethe, a.adminKey(), a.id(), "numbat@import.example");
            assertThat(numbat.toString()).contains("Ned").doesNotContain("W-1");
            Instant deadline = Instant.now().plusSeconds(30);
            JsonNode made = null;
            while (made == null) {
                for (var e : lethe.http()
                        .get("/v1/audit?action=profile.identify", a.adminKey())
                        .json()
                        .get("entries")) if (e.toString().contains(id)) made = e;
                if (made == null) {
                    assertThat(Instant.now()).as("the batch's audit entry").isBefore(deadline);
                    Thread.sleep(100);
                }
            }
            assertThat(made.get("targets").toString())
                    .contains("profile:" + wallaby.get("id").asText())
                    .contains("profile:" + numbat.get("id").asText());
            assertThat(made.toString()).doesNotContain("wallaby").doesNotContain("Wanda");
            for (var cell : RawStorage.cells(lethe.jdbcUrl()))
                assertThat(cell.text()).as(cell.toString()).doesNotContain("wallaby@import.example", "Wilma");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void ignoreEmptyLeavesAValueAndClearEmptyRemovesIt(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine, 1 << 20)) {
            var a = tenant(lethe);
            var seed = upload(
                    lethe,
                    a.adminKey(),
                    null,
                    csv("email,traits.firstName,fields.age\r\nquoll@import.example,Quentin,50\r\n"),
                    "text/csv");
            String seedId = seed.json().get("id").asText();
            waitFor(lethe, a.adminKey(), seedId, "staged");
            commit(lethe, a.adminKey(), seedId);
            waitFor(lethe, a.adminKey(), seedId, "completed");

            var ignore = upload(
                    lethe,
                    a.adminKey(),
                    "ignore-empty",
                    csv("email,traits.firstName,fields.age\nquoll@import.example,,51\n"),
                    "text/csv");
            String ignoreId = ignore.json().get("id").asText();
            var staged = waitFor(lethe, a.adminKey(), ignoreId, "staged");
            assertThat(staged.get("result").get("update").asLong()).isEqualTo(1);
            var row = lethe.http()
                    .get("/v1/imports/" + ignoreId + "/preview", a.adminKey())
                    .json()
                    .get("rows")
                    .get(0);
            assertThat(row.get("fields").toString()).isEqualTo("[\"fields.age\"]");
            commit(lethe, a.adminKey(), ignoreId);
            assertThat(waitFor(lethe, a.adminKey(), ignoreId, "completed")
                            .get("result")
                            .get("updated")
                            .asLong())
                    .isEqualTo(1);
            var view = profileByEmail(lethe, a.adminKey(), a.id(), "quoll@import.example");
            assertThat(view.get("traits").toString())
                    .contains("Quentin")
                    .contains("51")
                    .doesNotContain("50");

            var clear = upload(
                    lethe,
                    a.adminKey(),
                    "clear-empty",
                    csv("email,traits.firstName,fields.age\nquoll@import.example,,51\n"),
                    "text/csv");
            String clearId = clear.json().get("id").asText();
            var staged2 = waitFor(lethe, a.adminKey(), clearId, "staged");
            assertThat(staged2.get("result").get("clear").asLong()).isEqualTo(1);
            commit(lethe, a.adminKey(), clearId);
            assertThat(waitFor(lethe, a.adminKey(), clearId, "completed")
                            .get("result")
                            .get("cleared")
                            .asLong())
                    .isEqualTo(1);
            view = profileByEmail(lethe, a.adminKey(), a.id(), "quoll@import.example");
            assertThat(view.get("traits").toString()).doesNotContain("Quentin").contains("51");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void spreadsheetCsvIsReadAsRfc4180(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine, 1 << 20)) {
            var a = tenant(lethe);
            String text = "\uFEFFemail;traits.firstName;fields.age\r\n"
                    + "numbat@import.example;\"Nu; \"\"the\"\"\r\nNumbat\";7\r\n"
                    + "dingo@import.example;\"=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\";8\r\n";
            var up = upload(lethe, a.adminKey(), null, csv(text), "text/csv; charset=utf-8");
            assertThat(up.status()).isEqualTo(202);
            String id = up.json().get("id").asText();
            var staged = waitFor(lethe, a.adminKey(), id, "staged");
            assertThat(staged.get("result").get("create").asLong())
                    .as(staged.toString())
                    .isEqualTo(2);
            commit(lethe, a.adminKey(), id);
            waitFor(lethe, a.adminKey(), id, "completed");
            var numbat = profileByEmail(lethe, a.adminKey(), a.id(), "numbat@import.example");
            assertThat(numbat.get("traits").toString()).contains("Nu; \\\"the\\\"\\r\\nNumbat");
            var dingo = profileByEmail(lethe, a.adminKey(), a.id(), "dingo@import.example");
            assertThat(dingo.get("traits").toString()).contains("=HYPERLINK(\\\"http://evil.example\\\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void hostileUploadsAreRefusedOrReportedAndKeepNothing(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine, 4096)) {
            var a = tenant(lethe);
            // not CSV
            assertThat(upload(lethe, a.adminKey(), null, csv("{\"email\": 1}"), "application/json")
                            .status())
                    .isEqualTo(415);
            // empty
            assertThat(upload(lethe, a.adminKey(), null, new byte[0], "text/csv")
                            .status())
                    .isEqualTo(422);
            // a bad mode
            assertThat(upload(lethe, a.adminKey(), "merge", csv("email\nx@y.example\n"), "text/csv")
                            .status())
                    .isEqualTo(400);
            // too large: 413, nothing kept
            var big = new StringBuilder("email\n");
            while (big.length() < 10_000) big.append("kowari@import.example\n");
            var tooLarge = upload(lethe, a.adminKey(), null, csv(big.toString()), "text/csv");
            assertThat(tooLarge.status()).isEqualTo(413);
            assertThat(tooLarge.json().get("errors").get(0).get("path").asText())
                    .isEqualTo("body");
            assertThat(lethe.count("select count(*) from job_chunks")).isZero();
            // a header and no rows
            String headerOnly = upload(lethe, a.adminKey(), null, csv("email,traits.firstName\n"), "text/csv")
                    .json()
                    .get("id")
                    .asText();
            assertThat(waitFor(lethe, a.adminKey(), headerOnly, "failed")
                            .get("failure")
                            .asText())
                    .contains("no rows");
            // an unknown column, named
            String unknown = upload(lethe, a.adminKey(), null, csv("email,shoeSize\nx@y.example,3\n"), "text/csv")
                    .json()
                    .get("id")
                    .asText();
            waitFor(lethe, a.adminKey(), unknown, "failed");
            var errs = errors(lethe, a.adminKey(), unknown);
            assertThat(errs).hasSize(1);
            assertThat(errs.get(0).get("column").asText()).isEqualTo("shoeSize");
            assertThat(errs.get(0).get("row").asLong()).isZero();
            // a huge cell is that row's error; a consent-based trait for a person without consent too
            String huge = "email,traits.firstName,traits.topic\nbilby@import.example," + "B".repeat(3000)
                    + ",\nbettong@import.example,Betty,koalas\nbandicoot@import.example,Bandit,\n";
            String hugeId = upload(lethe, a.adminKey(), null, csv(huge), "text/csv")
                    .json()
                    .get("id")
                    .asText();
            var staged = waitFor(lethe, a.adminKey(), hugeId, "staged");
            assertThat(staged.get("result").get("create").asLong()).isEqualTo(2);
            assertThat(staged.get("result").get("error").asLong()).isEqualTo(1);
            var consentError = errors(lethe, a.adminKey(), hugeId).get(0);
            assertThat(consentError.get("row").asLong()).isEqualTo(2);
            assertThat(consentError.get("column").asText()).isEqualTo("traits.topic");
            assertThat(consentError.get("reason").asText()).contains("consent");
            // not UTF-8
            String binary = upload(
                            lethe,
                            a.adminKey(),
                            null,
                            new byte[] {'e', 'm', 'a', 'i', 'l', '\n', (byte) 0xC3, (byte) 0x28, '\n'},
                            "text/csv")
                    .json()
                    .get("id")
                    .asText();
            assertThat(waitFor(lethe, a.adminKey(), binary, "failed")
                            .get("failure")
                            .asText())
                    .contains("UTF-8");
            // an unknown import, a commit of a job that is not staged
            assertThat(lethe.http()
                            .post("/v1/imports/" + unknown + "/commit", a.adminKey(), "{}")
                            .status())
                    .isEqualTo(409);
            assertThat(lethe.http()
                            .get("/v1/imports/" + UUID.randomUUID() + "/preview", a.adminKey())
                            .status())
                    .isEqualTo(404);
        }
    }
}
