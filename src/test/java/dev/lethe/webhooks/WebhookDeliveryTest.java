package dev.lethe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Webhooks against a real HTTP receiver on 127.0.0.1: a delivery is signed with the endpoint's
 * secret over the timestamp and the body, a 500 is retried and the next 2xx ends it, a receiver that
 * always fails ends dead-lettered after the configured attempts (visible and retryable in the
 * outbox), nothing personal goes to an endpoint not made for it, an endpoint tied to an upcoming
 * processor gets nothing, and hostile URLs are refused with field errors.
 */
class WebhookDeliveryTest {

    static final String EMAIL = "ottilie.webhook@example.org";
    static final String URL_TOKEN = "qtok4711secret";

    static final String POLICY = TestPolicies.DATA_CORE.replace("processors: []\n", """
            processors:
              - name: "Active Mail Co"
                address: "1 Rue Exemple, Paris"
                purpose: email delivery
                location: FR
                categories: { profile: [email_address] }
              - name: "Future Analytics Ltd"
                address: "2 Example Road, Dublin"
                purpose: analytics
                location: IE
                effectiveFrom: 2099-01-01
                categories: { profile: [email_address] }
            """);

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    static TestLethe lethe(TestDatabase engine, OutboxSettings outbox) {
        return new TestLethe(
                engine,
                config -> config.withOutbox(outbox)
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))));
    }

    static OutboxSettings settings(int attempts, boolean allowPrivate) {
        return OutboxSettings.DEFAULT
                .withRetries(attempts, Duration.ofMinutes(1))
                .withDeliveryInterval(Duration.ofMillis(200))
                .withWebhooks(OutboxSettings.Webhooks.DEFAULT.withAllowPrivate(allowPrivate));
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    static String hmac(String secret, String text) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    static void notify(TestLethe lethe, String accountId, String event, Map<String, Object> data) {
        lethe.lethe()
                .database()
                .jdbi()
                .useTransaction(
                        h -> lethe.lethe().webhooks().notify(h, accountId, event, data, Map.of("email", EMAIL)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSignedDeliveryIsRetriedAfterA500AndCarriesNothingPersonal(TestDatabase engine) throws Exception {
        try (var receiver = new Receiver(200).answering(500);
                var lethe = lethe(engine, settings(3, true))) {
            var a = lethe.createAccount("Hook Shop");
            assertThat(lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            var seeded = lethe.http().post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "%s"}}""".formatted(EMAIL));
            assertThat(seeded.status()).as(seeded.toString()).isIn(200, 201);
            var created = lethe.http()
                    .post("/v1/webhooks", a.adminKey(), """
                    {"url": "%s", "events": ["job.completed", "job.failed"]}""".formatted(receiver.url("/hook?token=" + URL_TOKEN)));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String secret = created.json().get("secret").asText();
            String webhookId = created.json().get("id").asText();
            assertThat(secret).startsWith("whsec_");
            assertThat(created.json().get("url").asText()).doesNotContain(URL_TOKEN);
            var listed = lethe.http().get("/v1/webhooks", a.adminKey());
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.json().get("webhooks")).hasSize(1);
            assertThat(listed.body()).doesNotContain(secret).doesNotContain(URL_TOKEN);

            notify(lethe, a.id(), "job.completed", Map.of("job", "0b7d5e1c-2f7a-4a53-9a36-3c7fd1f0e001", "rows", 7));
            waitFor(() -> receiver.received().size() == 1, "the first attempt");
            waitFor(() -> lethe.count("select count(*) from outbox where attempts = 1") == 1, "attempt recorded");
            assertThat(lethe.strings("select status from outbox")).containsExactly("pending");
            assertThat(lethe.strings("select last_error from outbox"))
                    .containsExactly("the webhook endpoint answered 500");
            lethe.clock().advance(Duration.ofMinutes(1));
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'sent'") == 1, "the retry");
            assertThat(receiver.received()).hasSize(2);

            for (var r : receiver.received()) {
                String ts = r.header("Lethe-Timestamp");
                assertThat(ts).matches("[0-9]+");
                assertThat(r.header("Lethe-Signature")).isEqualTo("v1=" + hmac(secret, ts + "." + r.body()));
                assertThat(r.header("Lethe-Signature")).isNotEqualTo("v1=" + hmac("whsec_wrong", ts + "." + r.body()));
                assertThat(r.header("Lethe-Event")).isEqualTo("job.completed");
                assertThat(r.body())
                        .contains("\"event\":\"job.completed\"")
                        .contains("\"rows\":7")
                        .contains(webhookId)
                        .doesNotContain(EMAIL);
            }
            assertThat(receiver.received().get(0).header("Lethe-Webhook-Id"))
                    .isEqualTo(receiver.received().get(1).header("Lethe-Webhook-Id"))
                    .as("one delivery id across retries, for the receiver to deduplicate");
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .as("no table holds the URL's token, the secret or the email in clear")
                    .noneMatch(c -> c.text().contains(URL_TOKEN)
                            || c.text().contains(secret)
                            || c.text().contains(EMAIL));
            assertThat(loggedText())
                    .doesNotContain(URL_TOKEN)
                    .doesNotContain(secret)
                    .doesNotContain("\"rows\"");

            // an event the endpoint does not listen to writes nothing
            notify(lethe, a.id(), "request.completed", Map.of("request", "x"));
            assertThat(lethe.count("select count(*) from outbox")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aReceiverThatAlwaysFailsIsDeadLetteredVisibleAndRetryable(TestDatabase engine) throws Exception {
        try (var receiver = new Receiver(503);
                var lethe = lethe(engine, settings(2, true))) {
            var a = lethe.createAccount("Dead Letter Shop");
            var created = lethe.http().post("/v1/webhooks", a.adminKey(), """
                    {"url": "%s", "events": ["job.failed"], "personalData": true}""".formatted(receiver.url("/h")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            notify(lethe, a.id(), "job.failed", Map.of("errors", 3));
            waitFor(() -> receiver.received().size() == 1, "the first attempt");
            waitFor(() -> lethe.count("select count(*) from outbox where attempts = 1") == 1, "attempt recorded");
            lethe.clock().advance(Duration.ofMinutes(1));
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'failed'") == 1, "dead letter");
            assertThat(receiver.received()).hasSize(2);
            // made with personalData: true, this endpoint gets the personal part too
            assertThat(receiver.received().get(0).body()).contains(EMAIL);

            var failed = lethe.http().get("/v1/outbox?status=failed", a.adminKey());
            assertThat(failed.status()).as(failed.toString()).isEqualTo(200);
            var m = failed.json().get("messages").get(0);
            assertThat(m.get("kind").asText()).isEqualTo("webhook");
            assertThat(m.get("attempts").asInt()).isEqualTo(2);
            assertThat(m.get("lastError").asText()).isEqualTo("the webhook endpoint answered 503");
            assertThat(failed.body()).doesNotContain(EMAIL);

            var retried = lethe.http().post("/v1/outbox/" + m.get("id").asText() + "/retry", a.adminKey(), "{}");
            assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
            waitFor(() -> receiver.received().size() == 3, "the retried delivery");
            waitFor(() -> lethe.count("select count(*) from outbox where attempts = 1") == 1, "its failure recorded");

            // a deleted endpoint gets nothing more: the pending attempt fails saying why
            String webhookId = created.json().get("id").asText();
            assertThat(lethe.http()
                            .delete("/v1/webhooks/" + webhookId, a.adminKey())
                            .status())
                    .isEqualTo(204);
            assertThat(lethe.http()
                            .delete("/v1/webhooks/" + webhookId, a.adminKey())
                            .status())
                    .isEqualTo(404);
            lethe.clock().advance(Duration.ofMinutes(1));
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'failed'") == 1, "given up");
            assertThat(lethe.strings("select last_error from outbox")).containsExactly("the webhook was deleted");
            assertThat(receiver.received()).hasSize(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anUpcomingProcessorIsListedAsUpcomingAndItsWebhookGetsNothing(TestDatabase engine) throws Exception {
        try (var receiver = new Receiver(200);
                var lethe = lethe(engine, settings(3, true))) {
            var a = lethe.createAccount("Upcoming Shop");
            var put = lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            var made = lethe.http().post("/v1/webhooks", a.adminKey(), """
                    {"url": "%s", "events": ["job.completed"], "processor": "Active Mail Co"}""".formatted(receiver.url("/active")));
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            String active = made.json().get("id").asText();
            var future = lethe.http().post("/v1/webhooks", a.adminKey(), """
                    {"url": "%s", "events": ["job.completed"], "processor": "Future Analytics Ltd"}""".formatted(receiver.url("/future")));
            assertThat(future.status()).as(future.toString()).isEqualTo(201);

            notify(lethe, a.id(), "job.completed", Map.of("rows", 1));
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'sent'") == 1, "delivery");
            assertThat(lethe.count("select count(*) from outbox")).isEqualTo(1);
            assertThat(receiver.received()).hasSize(1);
            assertThat(receiver.received().get(0).body()).contains(active);

            var md = lethe.http().get("/v1/notices/subprocessors?format=md", a.adminKey());
            assertThat(md.status()).as(md.toString()).isEqualTo(200);
            String current = md.body().substring(0, md.body().indexOf("Upcoming sub-processors"));
            String upcoming = md.body().substring(md.body().indexOf("Upcoming sub-processors"));
            assertThat(current).contains("Active Mail Co").doesNotContain("Future Analytics Ltd");
            assertThat(upcoming).contains("Future Analytics Ltd").contains("2099-01-01");
            var json = lethe.http().get("/v1/notices/subprocessors?format=json", a.adminKey());
            assertThat(json.status()).isEqualTo(200);
            var sections = json.json().get("sections");
            assertThat(sections).hasSize(2);
            assertThat(sections.get(1).get("key").asText()).isEqualTo("upcoming");
            assertThat(sections.get(1).toString())
                    .contains("Future Analytics Ltd")
                    .contains("2099-01-01");
            assertThat(sections.get(0).toString()).doesNotContain("Future Analytics Ltd");

            assertThat(lethe.http().get("/v1/policy", a.adminKey()).body())
                    .as("written back with the policy")
                    .contains("\"effectiveFrom\":\"2099-01-01\"");
            // an access package names the upcoming processor as upcoming, not as a current recipient
            assertThat(lethe.http()
                            .post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "%s"}}""".formatted(EMAIL))
                            .status())
                    .isIn(200, 201);
            var access = lethe.http().post("/v1/requests", a.adminKey(), """
                    {"type": "access", "subject": {"email": "%s"}}""".formatted(EMAIL));
            assertThat(access.status()).as(access.toString()).isEqualTo(201);
            var pkg = lethe.http().get("/v1/requests/" + access.json().get("id").asText() + "/package", a.adminKey());
            assertThat(pkg.status()).as(pkg.toString()).isEqualTo(200);
            String recipients = "";
            for (var c : pkg.json().get("categories")) {
                if (c.get("category").asText().equals("email_address"))
                    recipients = c.get("recipients").toString();
            }
            assertThat(recipients)
                    .contains("Active Mail Co (email delivery, FR)")
                    .contains("Future Analytics Ltd (analytics, IE; upcoming, receives data from 2099-01-01)");

            // a policy with an effectiveFrom that is no date is refused where it is wrong
            var bad = lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY.replace("2099-01-01", "next spring"));
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.body()).contains("processors[1].effectiveFrom");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void hostileUrlsAreRefusedWithFieldErrorsAndNothingIsStored(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine, settings(3, false))) {
            var a = lethe.createAccount("Hostile Hooks");
            for (String url : new String[] {
                "file:///etc/passwd",
                "ftp://example.org/x",
                "gopher://example.org/",
                "http://127.0.0.1:8080/v1/accounts",
                "http://localhost/x",
                "http://10.1.2.3/x",
                "http://192.168.0.1/x",
                "http://169.254.169.254/latest/meta-data",
                "http://[::1]/x",
                "http://[::ffff:127.0.0.1]/x",
                "https://user:pw@example.org/x",
                "https://example.org/" + "a".repeat(2100)
            }) {
                var r = lethe.http().post("/v1/webhooks", a.adminKey(), """
                        {"url": "%s", "events": ["job.completed"]}""".formatted(url));
                assertThat(r.status()).as(url + " " + r).isEqualTo(422);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().get("errors").get(0).get("path").asText())
                        .as(url)
                        .isEqualTo("url");
            }
            var events = lethe.http().post("/v1/webhooks", a.adminKey(), """
                    {"url": "https://example.org/hook", "events": ["job.completed", "everything"]}""");
            assertThat(events.status()).as(events.toString()).isEqualTo(422);
            assertThat(events.body()).contains("events[1]");
            var subscriber = lethe.http().post("/v1/subprocessor-subscriptions", a.adminKey(), """
                    {"webhookUrl": "http://10.0.0.7/notify"}""");
            assertThat(subscriber.status()).as(subscriber.toString()).isEqualTo(422);
            assertThat(subscriber.body()).contains("webhookUrl");
            assertThat(lethe.count("select count(*) from webhooks")).isZero();
            assertThat(lethe.count("select count(*) from subprocessor_subscriptions"))
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCompletedErasureRequestIsAnnouncedByIdsOnly(TestDatabase engine) throws Exception {
        try (var receiver = new Receiver(200);
                var lethe = lethe(engine, settings(3, true))) {
            var a = lethe.createAccount("Erasing Shop");
            assertThat(lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            var made = lethe.http().post("/v1/webhooks", a.adminKey(), """
                    {"url": "%s", "events": ["request.completed", "erasure.completed"]}""".formatted(receiver.url("/erasures")));
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            String profile = lethe.http()
                    .post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "%s"}}""".formatted(EMAIL))
                    .json()
                    .get("profileId")
                    .asText();
            var request = lethe.http().post("/v1/requests", a.adminKey(), """
                    {"type": "erasure", "subject": {"profileId": "%s"}, "verify": false}""".formatted(profile));
            assertThat(request.status()).as(request.toString()).isEqualTo(201);
            String requestId = request.json().get("id").asText();
            var done = lethe.http().post("/v1/requests/" + requestId + "/complete", a.adminKey(), "{}");
            assertThat(done.status()).as(done.toString()).isEqualTo(200);

            waitFor(() -> receiver.received().size() == 2, "both events");
            var bodies =
                    receiver.received().stream().map(Receiver.Received::body).toList();
            assertThat(bodies)
                    .anySatisfy(b -> assertThat(b)
                            .contains("\"event\":\"erasure.completed\"")
                            .contains(profile)
                            .contains(requestId));
            assertThat(bodies)
                    .anySatisfy(b -> assertThat(b)
                            .contains("\"event\":\"request.completed\"")
                            .contains(requestId)
                            .contains("\"type\":\"erasure\""));
            assertThat(bodies).allSatisfy(b -> assertThat(b).doesNotContain(EMAIL));
        }
    }

    private String loggedText() {
        synchronized (logs) {
            var out = new StringBuilder();
            for (var e : logs.events()) {
                out.append(e.getFormattedMessage()).append(' ');
                if (e.getArgumentArray() != null) {
                    for (Object arg : e.getArgumentArray()) out.append(arg).append(' ');
                }
                if (e.getThrowableProxy() != null)
                    out.append(e.getThrowableProxy().getMessage()).append('\n');
            }
            return out.toString();
        }
    }
}
