package dev.lethe.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.Concurrently;
import dev.lethe.testing.MailServer;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The outbox against a real SMTP server in the test JVM (GreenMail): a message written in a
 * transaction is delivered once that commits, and not at all when it rolls back; a server that
 * refuses connections makes the message wait twice as long after each attempt, then fail, visible
 * in the API and the metrics; delivery runs at once never send a message twice; and the recipient
 * is in no table and no log line.
 */
class OutboxDeliveryTest {

    static final String EMAIL = "quentin.outbox@example.org";
    static final String CODE = "Your code is 731904";

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @RegisterExtension
    final MailServer mail = new MailServer();

    private static Smtp server(int port) {
        return new Smtp("127.0.0.1", port, Smtp.Tls.NONE, Optional.empty(), Optional.empty(), "lethe@example.net");
    }

    private static TestLethe lethe(TestDatabase engine, OutboxSettings outbox) {
        return new TestLethe(
                engine,
                config -> config.withOutbox(outbox)
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))));
    }

    private static String enqueue(TestLethe lethe, String accountId, Optional<String> subject, String to) {
        return lethe.lethe()
                .database()
                .jdbi()
                .inTransaction(h -> lethe.lethe()
                        .outbox()
                        .enqueue(
                                h,
                                accountId,
                                subject,
                                OutboxMessage.email(to, "Verify your request", CODE, "verification-code")));
    }

    private static String profile(TestLethe lethe, String key) {
        var put = lethe.http().putYaml("/v1/policy", key, TestPolicies.DATA_CORE);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        var identified = lethe.http().post("/v1/identify", key, "{\"identifiers\": {\"email\": \"" + EMAIL + "\"}}");
        assertThat(identified.status()).as(identified.toString()).isIn(200, 201);
        return identified.json().get("profileId").asText();
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCommittedMessageIsDeliveredWithItsSubjectAndTextAndTheRecipientIsStoredNowhereInClear(TestDatabase engine)
            throws Exception {
        var settings = OutboxSettings.DEFAULT
                .withSmtp(server(mail.greenMail().getSmtp().getPort()))
                .withDeliveryInterval(Duration.ofMillis(200));
        try (var lethe = lethe(engine, settings)) {
            var a = lethe.createAccount("Outbox Shop");
            String profile = profile(lethe, a.adminKey());
            // a message whose transaction rolls back never exists
            try {
                lethe.lethe().database().jdbi().useTransaction(h -> {
                    lethe.lethe()
                            .outbox()
                            .enqueue(
                                    h,
                                    a.id(),
                                    Optional.of(profile),
                                    OutboxMessage.email(EMAIL, "Never", "never", "request-update"));
                    throw new IllegalStateException("what the message announced failed");
                });
            } catch (IllegalStateException expected) {
                // rolled back
            }
            String id = enqueue(lethe, a.id(), Optional.of(profile), EMAIL);

            assertThat(mail.greenMail().waitForIncomingEmail(20_000, 1)).isTrue();
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'sent'") == 1, "the row marked sent");
            MimeMessage[] received = mail.greenMail().getReceivedMessages();
            assertThat(received).hasSize(1);
            assertThat(received[0].getSubject()).isEqualTo("Verify your request");
            assertThat(((String) received[0].getContent()).strip()).isEqualTo(CODE);
            assertThat(received[0].getRecipients(Message.RecipientType.TO)[0].toString())
                    .isEqualTo(EMAIL);
            assertThat(received[0].getFrom()[0].toString()).isEqualTo("lethe@example.net");

            var listed = lethe.http().get("/v1/outbox", a.adminKey());
            assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
            var messages = listed.json().get("messages");
            assertThat(messages).hasSize(1);
            var m = messages.get(0);
            assertThat(m.get("id").asText()).isEqualTo(id);
            assertThat(m.get("status").asText()).isEqualTo("sent");
            assertThat(m.get("attempts").asInt()).isEqualTo(1);
            assertThat(m.get("recipient").asText()).isEqualTo("q***@example.org");
            assertThat(m.get("subjectLine").asText()).isEqualTo("Verify your request");
            assertThat(m.get("subjectId").asText()).isEqualTo(profile);
            assertThat(m.get("purpose").asText()).isEqualTo("verification-code");
            assertThat(m.get("sentAt").isNull()).isFalse();
            assertThat(listed.body()).doesNotContain(EMAIL).doesNotContain("731904");
            assertThat(lethe.count("select count(*) from audit_log where action = 'outbox.list'"))
                    .isEqualTo(1);
            assertThat(lethe.http().get("/metrics", null).body()).contains("lethe_outbox_sent_total 1.0");

            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .as("no table holds the recipient or the text in clear")
                    .noneMatch(c -> c.text().contains(EMAIL) || c.text().contains("731904"));
            assertThat(loggedText())
                    .doesNotContain(EMAIL)
                    .doesNotContain("731904")
                    .contains("outbox message sent");

            // the content goes once its retention ended; the row stays
            lethe.clock().advance(Duration.ofDays(31));
            waitFor(() -> lethe.count("select count(*) from outbox where content is null") == 1, "content dropped");
            var after = lethe.http()
                    .get("/v1/outbox", a.adminKey())
                    .json()
                    .get("messages")
                    .get(0);
            assertThat(after.get("status").asText()).isEqualTo("sent");
            assertThat(after.get("recipient").isNull()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRefusingServerMeansRetriesThatBackOffThenAFailureVisibleInTheApiAndTheMetrics(TestDatabase engine)
            throws Exception {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        var settings = OutboxSettings.DEFAULT
                .withSmtp(server(closed))
                .withRetries(3, Duration.ofMinutes(1))
                .withDeliveryInterval(Duration.ofMillis(200));
        try (var lethe = lethe(engine, settings)) {
            var a = lethe.createAccount("Refused Shop");
            String id = enqueue(lethe, a.id(), Optional.empty(), EMAIL);
            Instant start = lethe.clock().instant();

            waitFor(() -> attempts(lethe) == 1, "the first attempt");
            assertThat(nextAttempt(lethe)).isEqualTo(start.plus(Duration.ofMinutes(1)));
            assertThat(lethe.strings("select status from outbox")).containsExactly("pending");
            assertThat(lethe.strings("select last_error from outbox"))
                    .containsExactly("cannot connect to the SMTP server");
            Thread.sleep(500); // more runs: not due yet, so no further attempt
            assertThat(attempts(lethe)).isEqualTo(1);

            lethe.clock().advance(Duration.ofMinutes(1));
            waitFor(() -> attempts(lethe) == 2, "the second attempt");
            assertThat(nextAttempt(lethe))
                    .as("twice the first wait")
                    .isEqualTo(start.plus(Duration.ofMinutes(1)).plus(Duration.ofMinutes(2)));

            lethe.clock().advance(Duration.ofMinutes(2));
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'failed'") == 1, "failed");
            assertThat(attempts(lethe)).isEqualTo(3);

            var failed = lethe.http().get("/v1/outbox?status=failed", a.adminKey());
            assertThat(failed.status()).as(failed.toString()).isEqualTo(200);
            var m = failed.json().get("messages").get(0);
            assertThat(m.get("id").asText()).isEqualTo(id);
            assertThat(m.get("attempts").asInt()).isEqualTo(3);
            assertThat(m.get("lastError").asText()).isEqualTo("cannot connect to the SMTP server");
            assertThat(m.get("nextAttemptAt").isNull()).isTrue();
            assertThat(m.get("subjectId").isNull())
                    .as("about nobody: sealed under the account's key")
                    .isTrue();
            assertThat(m.get("subjectLine").asText()).isEqualTo("Verify your request");
            assertThat(lethe.http()
                            .get("/v1/outbox?status=pending", a.adminKey())
                            .json()
                            .get("messages"))
                    .isEmpty();
            waitFor(
                    () -> lethe.http().get("/metrics", null).body().contains("lethe_outbox_failed 1.0"),
                    "the failed gauge");
            assertThat(lethe.http().get("/metrics", null).body()).contains("lethe_outbox_failures_total 3.0");
            assertThat(lethe.count("select count(*) from audit_log where action = 'outbox.failed'"))
                    .isEqualTo(1);

            var retried = lethe.http().post("/v1/outbox/" + id + "/retry", a.adminKey(), "");
            assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
            assertThat(retried.json().get("status").asText()).isEqualTo("pending");
            assertThat(retried.json().get("attempts").asInt()).isZero();
            var again = lethe.http().post("/v1/outbox/" + id + "/retry", a.adminKey(), "");
            assertThat(again.status()).as("only a failed message is retried").isEqualTo(409);
            assertThat(loggedText()).doesNotContain(EMAIL).doesNotContain("731904");
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .noneMatch(c -> c.text().contains(EMAIL));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void deliveryRunsAtOnceSendEachMessageExactlyOnce(TestDatabase engine) throws Exception {
        // the job itself waits a day: only the runs below deliver
        var settings = OutboxSettings.DEFAULT
                .withSmtp(server(mail.greenMail().getSmtp().getPort()))
                .withDeliveryInterval(Duration.ofDays(1));
        try (var lethe = lethe(engine, settings)) {
            var a = lethe.createAccount("Busy Shop");
            int messages = 40;
            for (int i = 0; i < messages; i++) enqueue(lethe, a.id(), Optional.empty(), "person" + i + "@example.org");
            // four runs at once, as four servers' jobs would
            Concurrently.times(4, () -> {
                lethe.lethe().outbox().deliverDue();
                return null;
            });
            assertThat(mail.greenMail().waitForIncomingEmail(20_000, messages)).isTrue();
            Thread.sleep(500);
            var recipients = new HashSet<String>();
            for (var m : mail.greenMail().getReceivedMessages()) {
                recipients.add(m.getRecipients(Message.RecipientType.TO)[0].toString());
            }
            assertThat(mail.greenMail().getReceivedMessages())
                    .as("no message sent twice")
                    .hasSize(messages);
            assertThat(recipients).hasSize(messages);
            assertThat(lethe.count("select count(*) from outbox where status = 'sent' and attempts = 1"))
                    .isEqualTo(messages);
        }
    }

    private static long attempts(TestLethe lethe) {
        return lethe.count("select max(attempts) from outbox");
    }

    private static Instant nextAttempt(TestLethe lethe) {
        return Instant.parse(lethe.lethe()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("select next_attempt_at from outbox")
                        .map((rs, ctx) -> dev.lethe.storage.Timestamps.instant(rs, "next_attempt_at"))
                        .one())
                .toString());
    }

    /** What Lethe (and every library in its process) logged, at every level down to DEBUG. */
    private String loggedText() {
        synchronized (logs) {
            var out = new StringBuilder();
            for (var e : logs.events()) {
                // the test's SMTP server stands for the world outside Lethe: its own log is not Lethe's
                if (e.getLoggerName().startsWith("com.icegreen")) continue;
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
