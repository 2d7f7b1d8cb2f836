package dev.lethe.requests;

import static dev.lethe.requests.RequestsApiTest.person;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.MailServer;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verification of a requester end to end, over HTTP, with the outbox delivering to a real SMTP
 * server in the test JVM (GreenMail): the code arrives by mail and, typed back, starts the clock;
 * a wrong code costs an attempt; the code is in no table, log line or audit entry; a verified
 * request's closing is mailed to the requester; and the reminder job re-sends a code once after
 * three days and rejects the request after thirty.
 */
class VerificationMailTest {

    static final String EMAIL = "zebulon.verify@example.org";
    static final String OTHER = "yolanda.verify@example.org";
    static final Pattern CODE = Pattern.compile("give this code: (\\w+)");

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @RegisterExtension
    final MailServer mail = new MailServer();

    private TestLethe lethe(TestDatabase engine) {
        var server = mail.smtp("lethe@example.net");
        var outbox = OutboxSettings.DEFAULT.withSmtp(server).withDeliveryInterval(Duration.ofMillis(200));
        return new TestLethe(
                engine,
                config -> config.withOutbox(outbox)
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theCodeArrivesByMailStartsTheClockAndTheAnswerIsMailedToo(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = person(http, a.adminKey(), EMAIL);

            var created =
                    http.post("/v1/requests", a.adminKey(), """
                    {"type": "access", "subject": {"email": "%s"}, "verify": true}
                    """.formatted(EMAIL.toUpperCase(java.util.Locale.ROOT)));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().get("status").asText()).isEqualTo("awaiting_verification");
            assertThat(created.json().get("dueAt").isNull()).isTrue();
            String id = created.json().get("id").asText();

            var mail = mailsTo(EMAIL, 1).get(0);
            assertThat(mail.getSubject()).isEqualTo("Your request: confirmation code");
            String code = codeIn(mail);

            var wrong = http.post("/v1/requests/" + id + "/verify", a.adminKey(), "{\"code\": \"WRONGCODE1\"}");
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(422);
            assertThat(wrong.body()).contains("4 attempts left").doesNotContain(code);
            assertThat(http.get("/v1/requests/" + id, a.adminKey())
                            .json()
                            .get("verificationAttemptsLeft")
                            .asInt())
                    .isEqualTo(VerificationCodes.MAX_ATTEMPTS - 1);

            lethe.clock().advance(Duration.ofDays(2));
            Instant verifiedAt = lethe.clock().instant();
            var verified = http.post("/v1/requests/" + id + "/verify", a.adminKey(), """
                    {"code": "%s"}
                    """.formatted(code));
            assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
            assertThat(verified.json().get("status").asText()).isEqualTo("in_progress");
            assertThat(Instant.parse(verified.json().get("clockStartedAt").asText()))
                    .isEqualTo(verifiedAt);
            assertThat(Instant.parse(verified.json().get("dueAt").asText()))
                    .as("one calendar month after verification, not after receipt")
                    .isEqualTo(verifiedAt.atZone(ZoneOffset.UTC).plusMonths(1).toInstant());

            // the first complete download answers the request; the requester is told by mail
            var pkg = http.get("/v1/requests/" + id + "/package", a.adminKey());
            assertThat(pkg.status()).as(pkg.toString()).isEqualTo(200);
            var update = mailsTo(EMAIL, 2).get(1);
            assertThat(update.getSubject()).isEqualTo("Your request: completed");
            assertThat(text(update)).contains("access request").contains("was completed");

            assertThat(lethe.strings("select purpose from outbox order by created_at"))
                    .containsExactly("verification-code", "request-update");
            assertThat(lethe.strings("select cast(subject_id as varchar(40)) from outbox"))
                    .containsOnly(profile);
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'sent'") == 2);
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .as("no table holds the code or the address in clear")
                    .noneMatch(c -> c.text().contains(code) || c.text().contains(EMAIL));
            assertThat(lethe.strings("select detail from audit_log"))
                    .noneMatch(d -> d != null && (d.contains(code) || d.contains(EMAIL)));
            assertThat(loggedText()).doesNotContain(code).doesNotContain(EMAIL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anUnverifiedRequestIsRemindedOnceAfterThreeDaysAndRejectedAfterThirty(TestDatabase engine) throws Exception {
        try (var lethe = lethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            person(http, a.adminKey(), EMAIL);
            person(http, a.adminKey(), OTHER);
            var requests = lethe.lethe().requests();
            String silent = verifyingRequest(lethe, a.adminKey(), EMAIL);
            lethe.clock().advance(Duration.ofDays(1));
            String late = verifyingRequest(lethe, a.adminKey(), OTHER);
            String firstCode = codeIn(mailsTo(OTHER, 1).get(0));

            lethe.clock().advance(Duration.ofDays(2).minusMinutes(1));
            assertThat(requests.chaseVerifications()).as("not three days yet").isZero();
            lethe.clock().advance(Duration.ofMinutes(2));
            assertThat(requests.chaseVerifications()).isEqualTo(1);
            assertThat(requests.chaseVerifications()).as("one reminder only").isZero();
            assertThat(mailsTo(EMAIL, 2)).hasSize(2);

            lethe.clock().advance(Duration.ofDays(1));
            assertThat(requests.chaseVerifications()).isEqualTo(1);
            String reminderCode = codeIn(mailsTo(OTHER, 2).get(1));
            assertThat(reminderCode).isNotEqualTo(firstCode);
            var old = http.post("/v1/requests/" + late + "/verify", a.adminKey(), """
                    {"code": "%s"}
                    """.formatted(firstCode));
            assertThat(old.status())
                    .as("the reminder's code replaces the first")
                    .isEqualTo(422);
            var verified = http.post("/v1/requests/" + late + "/verify", a.adminKey(), """
                    {"code": "%s"}
                    """.formatted(reminderCode));
            assertThat(verified.status()).as(verified.toString()).isEqualTo(200);

            lethe.clock().advance(Duration.ofDays(26).minusMinutes(2));
            assertThat(requests.chaseVerifications())
                    .as("thirty days not over yet")
                    .isZero();
            lethe.clock().advance(Duration.ofMinutes(2));
            assertThat(requests.chaseVerifications()).isEqualTo(1);
            var rejected = http.get("/v1/requests/" + silent, a.adminKey()).json();
            assertThat(rejected.get("status").asText()).isEqualTo("rejected");
            assertThat(rejected.get("reason").asText()).isEqualTo(Requests.NOT_VERIFIED);
            assertThat(http.get("/v1/requests/" + late, a.adminKey())
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("in_progress");
            assertThat(lethe.strings("select actor from audit_log where action = 'request.reject'"))
                    .containsExactly("system");
            assertThat(lethe.count("select count(*) from outbox where purpose = 'request-update'"))
                    .as("a request never verified is not answered by mail: the address was never confirmed")
                    .isZero();

            // a verified request's rejection is mailed, with the account's reason
            var reject = http.post("/v1/requests/" + late + "/reject", a.adminKey(), """
                    {"reason": "manifestly unfounded"}
                    """);
            assertThat(reject.status()).as(reject.toString()).isEqualTo(200);
            var update = mailsTo(OTHER, 3).get(2);
            assertThat(update.getSubject()).isEqualTo("Your request: rejected");
            assertThat(text(update)).contains("was rejected. Reason: manifestly unfounded");
            assertThat(mailsTo(EMAIL, 2)).hasSize(2);
        }
    }

    private static String verifyingRequest(TestLethe lethe, String key, String email) {
        var r = lethe.http().post("/v1/requests", key, """
                {"type": "rectification", "subject": {"email": "%s"}, "verify": true}
                """.formatted(email));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("status").asText()).isEqualTo("awaiting_verification");
        return r.json().get("id").asText();
    }

    /** The mails GreenMail received for {@code to}, once there are {@code n} of them, in order. */
    private List<MimeMessage> mailsTo(String to, int n) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            var mine = Arrays.stream(mail.greenMail().getReceivedMessages())
                    .filter(m -> recipient(m).equals(to))
                    .toList();
            if (mine.size() >= n) return mine;
            assertThat(Instant.now()).as("waiting for mail " + n + " to " + to).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private static String recipient(MimeMessage m) {
        try {
            return m.getRecipients(Message.RecipientType.TO)[0].toString();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(MimeMessage m) throws Exception {
        return ((String) m.getContent()).strip();
    }

    private static String codeIn(MimeMessage m) throws Exception {
        var matcher = CODE.matcher(text(m));
        assertThat(matcher.find()).as(text(m)).isTrue();
        return matcher.group(1);
    }

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
            }
            return out.toString();
        }
    }

    /** Waits for a condition the outbox job makes true. */
    private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for the outbox").isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
