package dev.lethe.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.crypto.Keyring;
import dev.lethe.jobs.Jobs;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.Concurrently;
import dev.lethe.testing.Http;
import dev.lethe.testing.MailServer;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exports end to end over HTTP, on H2 and PostgreSQL: a CSV of a segment's profiles with custom
 * fields by display name and cells escaped, restricted people left out; an email naming who asked,
 * when and from where, with a link that works once and then answers 410, also after expiry; two
 * downloads at once of a once-link get one file; erasing a person in an undownloaded export
 * withdraws it; and neither the file's values nor the token are stored or logged in clear.
 */
class ExportApiTest {

    static final String EMAIL = "ottoline.export@example.org";
    static final String NOTIFY = "dpo.export@example.net";
    static final String FORMULA = "=HYPERLINK(\"http://evil.example\")";
    static final String QUOTED = "Said \"hi\",\nthen left";

    /** The data core with tags (a trait the policy maps), which the segment selects by. */
    static final String POLICY =
            TestPolicies.DATA_CORE.replace("  traits.name: name\n", "  traits.name: name\n  traits.tags: name\n");

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @RegisterExtension
    final MailServer mail = new MailServer();

    private TestLethe lethe(TestDatabase engine) {
        var smtp = new dev.lethe.outbox.Smtp(
                "127.0.0.1",
                mail.greenMail().getSmtp().getPort(),
                dev.lethe.outbox.Smtp.Tls.NONE,
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                "lethe@example.net");
        return new TestLethe(
                engine,
                config -> config.withOutbox(
                                OutboxSettings.DEFAULT.withSmtp(smtp).withDeliveryInterval(Duration.ofMillis(200)))
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))));
    }

    /** An account with a custom field (display name "Nick name") and four people, three tagged vip. */
    private record Shop(TestLethe.Tenant tenant, List<String> vips, String other) {}

    private static Shop shop(TestLethe lethe) {
        var a = lethe.createAccount("Export Shop");
        var http = lethe.http();
        assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY).status()).isEqualTo(201);
        var field = http.post(
                "/v1/fields",
                a.adminKey(),
                "{\"key\": \"nickname\", \"displayName\": \"Nick name\", \"category\": \"name\", \"type\": \"text\"}");
        assertThat(field.status()).as(field.toString()).isEqualTo(201);
        String first = identify(http, a.adminKey(), EMAIL, FORMULA);
        String second = identify(http, a.adminKey(), "bertram.export@example.org", QUOTED);
        String third = identify(http, a.adminKey(), "cosima.export@example.org", "Plain");
        String other = identify(http, a.adminKey(), "dagobert.export@example.org", "Not vip");
        for (String p : List.of(first, second, third)) {
            var tagged = http.post("/v1/profiles/" + p + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}");
            assertThat(tagged.status()).as(tagged.toString()).isEqualTo(200);
        }
        var segment = http.post("/v1/segments", a.adminKey(), "{\"name\": \"vips\", \"filter\": {\"tag\": \"vip\"}}");
        assertThat(segment.status()).as(segment.toString()).isEqualTo(201);
        return new Shop(a, List.of(first, second, third), other);
    }

    private static String identify(Http http, String key, String email, String nickname) {
        var body = "{\"identifiers\": {\"email\": \"" + email + "\"}, \"traits\": {\"nickname\": "
                + new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(nickname) + "}}";
        var r = http.post("/v1/identify", key, body);
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("profileId").asText();
    }

    private static String segmentId(TestLethe lethe, String key) {
        return lethe.http().get("/v1/segments", key).json().at("/segments/0/id").asText();
    }

    private static JsonNode export(TestLethe lethe, String key, String body) {
        var r = lethe.http().post("/v1/exports", key, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.json();
    }

    private static JsonNode waitForJob(TestLethe lethe, String key, String id, String state) throws Exception {
        waitFor(
                () -> {
                    String s = lethe.http()
                            .get("/v1/jobs/" + id, key)
                            .json()
                            .get("state")
                            .asText();
                    assertThat(s).as("the export's state").isIn("queued", "running", state);
                    return s.equals(state);
                },
                "the export to be " + state);
        return lethe.http().get("/v1/jobs/" + id, key).json();
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private static List<CSVRecord> csv(byte[] body) throws Exception {
        return CSVFormat.RFC4180
                .parse(new java.io.StringReader(new String(body, StandardCharsets.UTF_8)))
                .getRecords();
    }

    private static String token(String link) {
        var m = Pattern.compile("token=([A-Za-z0-9_-]+)").matcher(link);
        assertThat(m.find()).as("a token in " + link).isTrue();
        return m.group(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theLinkWorksOnceTheEmailSaysWhoWhenAndWhereAndTheCsvHasTheSegmentEscaped(TestDatabase engine)
            throws Exception {
        try (var lethe = lethe(engine)) {
            var shop = shop(lethe);
            String key = shop.tenant().adminKey();
            var http = lethe.http();
            // a restricted vip is left out, as lists leave them out
            String restrictedEmail = "erwin.restricted@example.org";
            String restricted = identify(http, key, restrictedEmail, "Restricted");
            http.post("/v1/profiles/" + restricted + "/tags", key, "{\"add\": [\"vip\"]}");
            var restriction = http.post(
                    "/v1/requests",
                    key,
                    "{\"type\": \"restriction\", \"subject\": {\"email\": \"" + restrictedEmail + "\"}}");
            assertThat(restriction.status()).as(restriction.toString()).isEqualTo(201);

            // the export is asked for with a labelled admin key: the email names it
            var labelled = http.post("/v1/keys", key, "{\"scopes\": [\"admin\"], \"label\": \"DPO laptop\"}");
            assertThat(labelled.status()).as(labelled.toString()).isEqualTo(201);
            String dpoKey = labelled.json().get("key").asText();
            var made = http.post(
                    "/v1/exports",
                    dpoKey,
                    "{\"segment\": \"" + segmentId(lethe, key)
                            + "\", \"columns\": [\"id\", \"identifiers.email\", \"field.nickname\", \"lastSeen\"],"
                            + " \"notify\": \"" + NOTIFY + "\"}");
            assertThat(made.status()).as(made.toString()).isEqualTo(202);
            String id = made.json().get("id").asText();
            assertThat(made.json().get("kind").asText()).isEqualTo("export");
            var job = waitForJob(lethe, key, id, "completed");
            assertThat(job.at("/result/rows").asLong()).isEqualTo(3);
            assertThat(job.at("/result/download").asText()).isEqualTo("/v1/exports/" + id + "/file");
            assertThat(job.toString()).doesNotContain(NOTIFY).doesNotContain(EMAIL);

            // the email: who asked, when, from where, and the link
            assertThat(mail.greenMail().waitForIncomingEmail(20_000, 1)).isTrue();
            MimeMessage message = mail.greenMail().getReceivedMessages()[0];
            assertThat(message.getAllRecipients()[0].toString()).isEqualTo(NOTIFY);
            String text = message.getContent().toString();
            assertThat(text)
                    .contains("API key " + TestLethe.keyIdOf(dpoKey) + " (\"DPO laptop\")")
                    .contains("Asked at: " + job.get("createdAt").asText().substring(0, 16))
                    .contains("Asked from: 127.0.0.1")
                    .contains("/v1/exports/" + id + "/file?token=");
            String token = token(text);

            // no key is needed, and none is enough without the token
            assertThat(http.download("/v1/exports/" + id + "/file", key).status())
                    .isEqualTo(400);
            assertThat(http.download("/v1/exports/" + id + "/file?token=wrong" + token, null)
                            .status())
                    .isEqualTo(404);
            var first = http.download("/v1/exports/" + id + "/file?token=" + token, null);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.contentType()).startsWith("text/csv");
            var rows = csv(first.body());
            assertThat(rows.get(0).toList()).containsExactly("id", "identifiers.email", "Nick name", "lastSeen");
            assertThat(rows).hasSize(4);
            assertThat(rows.stream().skip(1).map(r -> r.get(0)))
                    .containsExactlyInAnyOrderElementsOf(shop.vips())
                    .doesNotContain(restricted, shop.other());
            assertThat(rows.stream().skip(1).map(r -> r.get(2))).contains("'" + FORMULA, QUOTED, "Plain");
            assertThat(rows.stream().skip(1).map(r -> r.get(1))).contains(EMAIL);
            assertThat(new String(first.body(), StandardCharsets.UTF_8))
                    .contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\"")
                    .contains("\"Said \"\"hi\"\",\nthen left\"");

            // the second use: 410, and the file is gone
            var second = http.get("/v1/exports/" + id + "/file?token=" + token, null);
            assertThat(second.status()).isEqualTo(410);
            assertThat(second.contentType()).startsWith("application/problem+json");
            waitFor(
                    () -> lethe.count("select count(*) from job_chunks where job_id = ?", java.util.UUID.fromString(id))
                            == 0,
                    "the file to be deleted");
            assertThat(http.get("/v1/exports/" + id + "/link", key).status()).isEqualTo(410);

            // every download audited, with no value
            var audit = http.get("/v1/audit?action=export.download", key);
            assertThat(audit.toString()).contains("export.download").doesNotContain(EMAIL);

            // neither the file's values nor the token nor the address told are anywhere in clear
            var cells = RawStorage.cells(lethe.jdbcUrl());
            assertThat(cells).noneMatch(c -> c.text().contains(EMAIL));
            assertThat(cells).noneMatch(c -> c.text().contains(NOTIFY));
            assertThat(cells).noneMatch(c -> c.text().contains(token));
            assertThat(cells).noneMatch(c -> c.text().contains("Said \"hi\""));
            var logged = new StringBuilder();
            for (var e : logs.events()) {
                if (e.getLoggerName().startsWith("com.icegreen")) continue;
                logged.append(e.getFormattedMessage()).append(' ');
                if (e.getArgumentArray() != null)
                    for (Object o : e.getArgumentArray()) logged.append(o).append(' ');
            }
            assertThat(logged.toString())
                    .doesNotContain(EMAIL)
                    .doesNotContain(NOTIFY)
                    .doesNotContain(token);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aLinkPastItsTimeIsGoneAndTwoDownloadsAtOnceGetOneFile(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var shop = shop(lethe);
            String key = shop.tenant().adminKey();
            var http = lethe.http();
            String late = export(lethe, key, "{\"filter\": {\"tag\": \"vip\"}}")
                    .get("id")
                    .asText();
            String raced = export(lethe, key, "{\"columns\": [\"id\", \"field.nickname\"]}")
                    .get("id")
                    .asText();
            waitForJob(lethe, key, late, "completed");
            var job = waitForJob(lethe, key, raced, "completed");
            assertThat(job.at("/result/rows").asLong()).isEqualTo(4);
            String lateLink = http.get("/v1/exports/" + late + "/link", key)
                    .json()
                    .get("download")
                    .asText();
            String racedLink = http.get("/v1/exports/" + raced + "/link", key)
                    .json()
                    .get("download")
                    .asText();

            // two downloads of a once-link at the same moment: one file, one 410
            var statuses =
                    Concurrently.times(2, () -> http.download(racedLink, null).status());
            assertThat(statuses).containsExactlyInAnyOrder(200, 410);

            // past its time: 410 at once, and the expiry deletes the file
            lethe.clock().advance(Duration.ofHours(24).plusSeconds(1));
            var expired = http.get(lateLink, null);
            assertThat(expired.status()).as(expired.toString()).isEqualTo(410);
            assertThat(expired.json().get("title").asText()).contains("expired");
            lethe.lethe().transferJobs().expireDue();
            assertThat(lethe.count("select count(*) from job_chunks where job_id = ?", java.util.UUID.fromString(late)))
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void erasingAPersonInAnUndownloadedExportWithdrawsItAndALaterExportLacksThem(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var shop = shop(lethe);
            String key = shop.tenant().adminKey();
            var http = lethe.http();
            String id = export(lethe, key, "{\"segment\": \"" + segmentId(lethe, key) + "\"}")
                    .get("id")
                    .asText();
            waitForJob(lethe, key, id, "completed");
            String link = http.get("/v1/exports/" + id + "/link", key)
                    .json()
                    .get("download")
                    .asText();
            var uuid = java.util.UUID.fromString(id);
            assertThat(lethe.count("select count(*) from export_subjects where job_id = ?", uuid))
                    .isEqualTo(3);
            assertThat(lethe.count("select count(*) from job_chunks where job_id = ?", uuid))
                    .isPositive();

            String jobKey = lethe.lethe().keyring().accountKeyId(shop.tenant().id(), "job/" + id);
            assertThat(lethe.count(
                            "select count(*) from hold_keys where hold_id = ?", java.util.UUID.fromString(jobKey)))
                    .isEqualTo(1);
            String erased = shop.vips().get(0);
            var erasure = http.delete("/v1/profiles/" + erased, key);
            assertThat(erasure.status()).as(erasure.toString()).isEqualTo(200);

            var gone = http.get(link, null);
            assertThat(gone.status()).as(gone.toString()).isEqualTo(410);
            assertThat(gone.json().get("title").asText()).contains("withdrawn").contains("erased");
            assertThat(lethe.count("select count(*) from job_chunks where job_id = ?", uuid))
                    .isZero();
            assertThat(lethe.count("select count(*) from export_subjects where job_id = ?", uuid))
                    .isZero();
            assertThat(lethe.count(
                            "select count(*) from hold_keys where hold_id = ?", java.util.UUID.fromString(jobKey)))
                    .as("the export's key is destroyed")
                    .isZero();
            assertThat(http.get("/v1/exports/" + id + "/link", key).status()).isEqualTo(410);

            // an export made after the erasure does not hold them
            String after = export(lethe, key, "{\"segment\": \"" + segmentId(lethe, key) + "\"}")
                    .get("id")
                    .asText();
            var job = waitForJob(lethe, key, after, "completed");
            assertThat(job.at("/result/rows").asLong()).isEqualTo(2);
            String afterLink = http.get("/v1/exports/" + after + "/link", key)
                    .json()
                    .get("download")
                    .asText();
            var file = http.download(afterLink, null);
            assertThat(file.status()).isEqualTo(200);
            assertThat(new String(file.body(), StandardCharsets.UTF_8))
                    .doesNotContain(erased)
                    .contains(shop.vips().get(1));
        }
    }

    /**
     * A page of hundreds: their keys unwrapped and values opened on every core (the key cache
     * emptied first, as on a server just started), their memberships copied in one statement on
     * PostgreSQL; every one of them is in the file and in export_subjects, and erasing one
     * withdraws it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void hundredsOfPeopleWithColdKeysAreAllInTheFileAndOneErasureWithdrawsIt(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var tenant = lethe.createAccount("Export Many");
            String key = tenant.adminKey();
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", key, POLICY).status()).isEqualTo(201);
            int n = Keyring.PARALLEL_FROM; // the least page opened on every core
            var people = BulkSeeding.people(lethe, tenant, 0, n);
            lethe.lethe().keyring().forgetCachedKeys();
            String id = export(
                            lethe,
                            key,
                            "{\"kind\": \"profiles\", \"columns\": [\"id\", \"identifiers.email\", \"traits.name\"]}")
                    .get("id")
                    .asText();
            var job = waitForJob(lethe, key, id, "completed");
            assertThat(job.at("/result/rows").asLong()).isEqualTo(n);
            var uuid = java.util.UUID.fromString(id);
            assertThat(lethe.count("select count(*) from export_subjects where job_id = ?", uuid))
                    .isEqualTo(n);
            String link = http.get("/v1/exports/" + id + "/link", key)
                    .json()
                    .get("download")
                    .asText();

            var erasure = http.delete("/v1/profiles/" + people.get(100), key);
            assertThat(erasure.status()).as(erasure.toString()).isEqualTo(200);
            assertThat(http.get(link, null).status()).isEqualTo(410);
            assertThat(lethe.count("select count(*) from export_subjects where job_id = ?", uuid))
                    .isZero();

            // a second export (keys warm now) holds everyone else, each with their own values
            String again = export(
                            lethe,
                            key,
                            "{\"kind\": \"profiles\", \"columns\": [\"id\", \"identifiers.email\", \"traits.name\"]}")
                    .get("id")
                    .asText();
            assertThat(waitForJob(lethe, key, again, "completed")
                            .at("/result/rows")
                            .asLong())
                    .isEqualTo(n - 1);
            var file = http.download(
                    http.get("/v1/exports/" + again + "/link", key)
                            .json()
                            .get("download")
                            .asText(),
                    null);
            String csv = new String(file.body(), StandardCharsets.UTF_8);
            assertThat(csv.split("\r\n")).hasSize(n); // the header and n - 1 people
            for (int i : List.of(0, 99, 101, n - 1))
                assertThat(csv).contains(people.get(i) + "," + BulkSeeding.email(i) + ",Zebulon Bulk " + i + "\r\n");
            assertThat(csv).doesNotContain(people.get(100)).doesNotContain(BulkSeeding.email(100));

            // one export withdrawn by an erasure and one cancelled, each as soon as it is asked
            // for: their stages stop wherever they are (the export may also have ended already),
            // none outlives its job, and the database still writes and reads afterwards
            String body = "{\"kind\": \"profiles\", \"columns\": [\"id\", \"identifiers.email\", \"traits.name\"]}";
            String withdrawn = export(lethe, key, body).get("id").asText();
            String cancelled = export(lethe, key, body).get("id").asText();
            assertThat(http.post("/v1/jobs/" + cancelled + "/cancel", key, "{}").status())
                    .isIn(200, 202, 409);
            assertThat(http.delete("/v1/profiles/" + people.get(101), key).status())
                    .isEqualTo(200);
            for (String stopped : List.of(withdrawn, cancelled)) {
                waitFor(
                        () -> !Set.of("queued", "running")
                                .contains(http.get("/v1/jobs/" + stopped, key)
                                        .json()
                                        .get("state")
                                        .asText()),
                        "the export " + stopped + " to end");
                waitFor(
                        () -> Thread.getAllStackTraces().keySet().stream()
                                .noneMatch(t -> t.getName().startsWith(Exports.THREAD_PREFIX + stopped)),
                        "no stage thread of " + stopped);
            }
            var added = http.post(
                    "/v1/identify",
                    key,
                    "{\"visitorId\": \"after-stop\", \"identifiers\": {\"email\": \"after.stop@example.com\"}}");
            assertThat(added.status()).as(added.toString()).isEqualTo(201);
            assertThat(http.get("/v1/profiles/" + added.json().get("profileId").asText(), key)
                            .status())
                    .isEqualTo(200);
            assertThat(lethe.count(
                            "select count(*) from subjects where subject_id = ?",
                            java.util.UUID.fromString(
                                    added.json().get("profileId").asText())))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBadExportIsRefusedWithEveryProblemAndChangesNothing(TestDatabase engine) {
        try (var lethe = lethe(engine)) {
            var shop = shop(lethe);
            String key = shop.tenant().adminKey();
            var http = lethe.http();
            long jobs = lethe.count("select count(*) from jobs");
            var bad = http.post(
                    "/v1/exports",
                    key,
                    "{\"kind\": \"planets\", \"segment\": \"" + shop.other()
                            + "\", \"columns\": [\"id\", \"shoeColour\", \"field.nope\"],"
                            + " \"notify\": \"not an address\", \"filter\": {\"engagement\": \"ecstatic\"}}");
            assertThat(bad.status()).as(bad.toString()).isIn(400, 422);
            assertThat(bad.contentType()).startsWith("application/problem+json");
            assertThat(bad.body()).contains("kind", "columns", "shoeColour", "field.nope", "notify", "segment");
            var badFilter = http.post("/v1/exports", key, "{\"filter\": {\"engagement\": \"ecstatic\", \"nope\": 1}}");
            assertThat(badFilter.status()).as(badFilter.toString()).isIn(400, 422);
            assertThat(badFilter.body()).contains("filter.");
            var read = lethe.createKey(key, "read");
            assertThat(http.post("/v1/exports", read.key(), "{}").status()).isEqualTo(403);
            assertThat(lethe.count("select count(*) from jobs")).isEqualTo(jobs);
        }
    }

    /** The data core with messages: content, and traffic data (from, to) of profiles. */
    static final String MESSAGING = TestPolicies.DATA_CORE
            .replace("  shoe_size:\n", """
                      message_text:
                        purpose: communication
                        lawfulBasis: contract
                        source: api
                        subjects: [profile]
                        retention: { period: P1Y, after: collected }
                      message_routing:
                        purpose: communication
                        lawfulBasis: legal_obligation
                        source: api
                        subjects: [profile]
                        retention: { period: P1Y, after: collected }
                      shoe_size:
                    """)
            .replace("  properties.shoeSize: shoe_size\n", """
                      properties.shoeSize: shoe_size
                      message.content: message_text
                      traffic.from: message_routing
                      traffic.to: message_routing
                    """)
            .replace("  event: { kind: event, retention: { period: P2Y, after: collected } }\n", """
                      event: { kind: event, retention: { period: P2Y, after: collected } }
                      message: { kind: message, retention: { period: P1Y, after: collected } }
                    """);

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eventsOfATimeRangeWithTheirValuesAndMessagesWithTheirTrafficData(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Activity Shop");
            String key = a.adminKey();
            var http = lethe.http();
            var policy = http.putYaml("/v1/policy", key, MESSAGING);
            assertThat(policy.status()).as(policy.toString()).isEqualTo(201);
            Instant now = lethe.clock().instant();
            Instant inside = now.minus(Duration.ofDays(2));
            Instant outside = now.minus(Duration.ofDays(20));
            var tracked = http.post("/v1/track", key, """
                    {"events": [
                      {"visitorId": "laptop-9", "type": "page_view", "ts": "%1$s", "context": {"url": "https://shop.example/ottoline", "ip": "203.0.113.9"}},
                      {"visitorId": "laptop-9", "type": "add_to_cart", "ts": "%1$s", "properties": {"plan": "gold"}},
                      {"visitorId": "laptop-9", "type": "old_view", "ts": "%2$s"}
                    ]}
                    """.formatted(inside, outside));
            assertThat(tracked.json().get("accepted").asInt())
                    .as(tracked.toString())
                    .isEqualTo(3);
            String profile = http.post("/v1/identify", key, """
                            {"visitorId": "laptop-9", "identifiers": {"email": "%s"}}
                            """.formatted(EMAIL))
                    .json()
                    .get("profileId")
                    .asText();
            var sent = http.post("/v1/messages", key, """
                    {"messages": [
                      {"subject": {"email": "%s"}, "subjectType": "profile", "channel": "email", "direction": "outbound",
                       "ts": "%s", "content": "Ottoline, your parcel left", "status": "delivered",
                       "traffic": {"from": "shop@quokka.example", "to": "%s"}}
                    ]}
                    """.formatted(EMAIL, inside, EMAIL));
            assertThat(sent.status()).as(sent.toString()).isIn(200, 202);

            String events = export(
                            lethe,
                            key,
                            "{\"kind\": \"events\", \"from\": \"" + now.minus(Duration.ofDays(7)) + "\", \"to\": \""
                                    + now + "\"}")
                    .get("id")
                    .asText();
            var job = waitForJob(lethe, key, events, "completed");
            assertThat(job.at("/result/rows").asLong()).isEqualTo(2);
            var file = http.download(
                    http.get("/v1/exports/" + events + "/link", key)
                            .json()
                            .get("download")
                            .asText(),
                    null);
            var rows = csv(file.body());
            assertThat(rows.get(0).toList())
                    .contains("id", "profileId", "type", "occurredAt", "context.ip", "context.url");
            int type = rows.get(0).toList().indexOf("type");
            int ip = rows.get(0).toList().indexOf("context.ip");
            int url = rows.get(0).toList().indexOf("context.url");
            int person = rows.get(0).toList().indexOf("profileId");
            assertThat(rows.stream().skip(1).map(r -> r.get(type)))
                    .containsExactlyInAnyOrder("page_view", "add_to_cart");
            assertThat(rows.stream().skip(1).map(r -> r.get(person))).containsOnly(profile);
            var view = rows.stream()
                    .skip(1)
                    .filter(r -> r.get(type).equals("page_view"))
                    .findFirst()
                    .orElseThrow();
            assertThat(view.get(ip)).isEqualTo("203.0.113.9");
            assertThat(view.get(url)).isEqualTo("https://shop.example/ottoline");

            String messages = export(lethe, key, "{\"kind\": \"messages\", \"notify\": \"" + NOTIFY + "\"}")
                    .get("id")
                    .asText();
            assertThat(waitForJob(lethe, key, messages, "completed")
                            .at("/result/rows")
                            .asLong())
                    .isEqualTo(1);
            var log = csv(http.download(
                            http.get("/v1/exports/" + messages + "/link", key)
                                    .json()
                                    .get("download")
                                    .asText(),
                            null)
                    .body());
            assertThat(log.get(0).toList())
                    .contains(
                            "id", "profileId", "channel", "direction", "status", "sentAt", "traffic.from", "traffic.to")
                    .doesNotContain("message.content");
            var header = log.get(0).toList();
            assertThat(log.get(1).get(header.indexOf("channel"))).isEqualTo("email");
            assertThat(log.get(1).get(header.indexOf("status"))).isEqualTo("delivered");
            assertThat(log.get(1).get(header.indexOf("traffic.to"))).isEqualTo(EMAIL);
            assertThat(log.get(1).get(header.indexOf("profileId"))).isEqualTo(profile);
            assertThat(log.get(1).toString()).doesNotContain("parcel left");

            // a time range is for activity; a segment is for profiles
            var wrong = http.post(
                    "/v1/exports",
                    key,
                    "{\"kind\": \"events\", \"filter\": {\"tag\": \"vip\"}, \"columns\": [\"message.content\"]}");
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(422);
            assertThat(wrong.body()).contains("filter", "message.content");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMergeCarriesExportMembershipToTheSurvivorWhoseErasureThenWithdrawsTheFile(TestDatabase engine)
            throws Exception {
        try (var lethe = lethe(engine)) {
            var shop = shop(lethe);
            String key = shop.tenant().adminKey();
            var http = lethe.http();
            String id = export(lethe, key, "{\"segment\": \"" + segmentId(lethe, key) + "\"}")
                    .get("id")
                    .asText();
            waitForJob(lethe, key, id, "completed");
            var uuid = java.util.UUID.fromString(id);
            // both in the export: the survivor is in it once
            var both = http.post(
                    "/v1/profiles/" + shop.vips().get(1) + "/merge",
                    key,
                    "{\"from\": \"" + shop.vips().get(2) + "\"}");
            assertThat(both.status()).as(both.toString()).isEqualTo(200);
            assertThat(lethe.count("select count(*) from export_subjects where job_id = ?", uuid))
                    .isEqualTo(2);
            // into someone not in it: they are in it now
            var into = http.post(
                    "/v1/profiles/" + shop.other() + "/merge",
                    key,
                    "{\"from\": \"" + shop.vips().get(1) + "\"}");
            assertThat(into.status()).as(into.toString()).isEqualTo(200);
            assertThat(lethe.strings(
                            "select cast(subject_id as varchar(36)) from export_subjects where job_id = ?", uuid))
                    .containsExactlyInAnyOrder(shop.vips().get(0), shop.other());

            assertThat(http.delete("/v1/profiles/" + shop.other(), key).status())
                    .isEqualTo(200);

            var gone = http.get("/v1/exports/" + id + "/link", key);
            assertThat(gone.status()).as(gone.toString()).isEqualTo(410);
            assertThat(gone.json().get("title").asText()).contains("erased");
            assertThat(lethe.count("select count(*) from job_chunks where job_id = ?", uuid))
                    .isZero();
        }
    }
}
