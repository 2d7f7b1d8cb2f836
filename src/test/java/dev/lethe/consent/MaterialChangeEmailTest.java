package dev.lethe.consent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.Http;
import dev.lethe.testing.MailServer;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import jakarta.mail.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Publishing a material privacy-policy version tells the people it affects by email, through the
 * outbox, against a real SMTP server (GreenMail): one email to each affected person with an email,
 * naming the version and its address; none to people it does not affect (no consent, or only a
 * withdrawal); an affected person without an email is counted, not told; a version that is not
 * material sends nothing; the addresses are in no table in clear and no log line.
 */
class MaterialChangeEmailTest {

    static final String TOLD = "ursula.told@example.org";
    static final String ALSO_TOLD = "vincent.told@example.org";
    static final String NEVER_CONSENTED = "wanda.never@example.org";
    static final String WITHDRAWN = "xander.withdrew@example.org";

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @RegisterExtension
    final MailServer mail = new MailServer();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMaterialVersionEmailsEachAffectedPersonWithAnEmailAndNobodyElse(TestDatabase engine) throws Exception {
        var outbox = OutboxSettings.DEFAULT
                .withSmtp(mail.smtp("privacy@quokka.example"))
                .withDeliveryInterval(Duration.ofMillis(200));
        try (var lethe = new TestLethe(
                engine,
                config -> config.withOutbox(outbox)
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))))) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            String key = a.adminKey();
            ConsentApiTest.setUp(http, key);
            // affected: grants under v1, with an email (two of them), and an anonymous visitor
            String told = person(http, key, "v-told", TOLD);
            assertThat(grant(http, key, "{\"email\": \"" + TOLD + "\"}").status())
                    .isEqualTo(201);
            String alsoTold = person(http, key, "v-also", ALSO_TOLD);
            assertThat(grant(http, key, "{\"profileId\": \"" + alsoTold + "\"}").status())
                    .isEqualTo(201);
            assertThat(grant(http, key, "{\"visitorId\": \"v-anonymous\"}").status())
                    .isEqualTo(201);
            // not affected: never consented; only withdrew
            person(http, key, "v-never", NEVER_CONSENTED);
            person(http, key, "v-withdrew", WITHDRAWN);
            var withdrawal = http.post("/v1/consents", key, """
                    {"subject": {"email": "%s"}, "policyVersion": "v1", "purposes": {"targeting": false},
                     "source": "preferences"}
                    """.formatted(WITHDRAWN));
            assertThat(withdrawal.status()).as(withdrawal.toString()).isEqualTo(201);

            Instant now = lethe.clock().instant();
            var published = http.post("/v1/privacy-policies", key, """
                    {"version": "v2", "url": "https://quokka.example/privacy/v2", "publishedAt": "%s",
                     "material": true}
                    """.formatted(now));

            assertThat(published.status()).as(published.toString()).isEqualTo(201);
            assertThat(published.json().get("affected").asInt()).isEqualTo(3);
            assertThat(published.json().get("notified").asInt()).isEqualTo(2);
            assertThat(published.json().get("withoutEmail").asInt()).isEqualTo(1);
            assertThat(mail.greenMail().waitForIncomingEmail(20_000, 2)).isTrue();
            waitFor(() -> lethe.count("select count(*) from outbox where status = 'sent'") == 2, "both marked sent");
            var received = mail.greenMail().getReceivedMessages();
            assertThat(received).hasSize(2);
            assertThat(Arrays.stream(received)
                            .map(m -> {
                                try {
                                    return m.getRecipients(Message.RecipientType.TO)[0].toString();
                                } catch (Exception e) {
                                    throw new AssertionError(e);
                                }
                            })
                            .toList())
                    .containsExactlyInAnyOrder(TOLD, ALSO_TOLD);
            for (var m : received) {
                assertThat(m.getSubject()).isEqualTo("Our privacy policy has changed");
                assertThat((String) m.getContent()).contains("v2").contains("https://quokka.example/privacy/v2");
            }
            assertThat(lethe.strings("select subject_id from outbox where account_id = ?", a.id()))
                    .containsExactlyInAnyOrder(told, alsoTold);
            assertThat(lethe.strings("select purpose from outbox where account_id = ? group by purpose", a.id()))
                    .containsExactly("privacy-policy-material");

            // a version that is not material tells nobody
            var plain = http.post("/v1/privacy-policies", key, """
                    {"version": "v3", "url": "https://quokka.example/privacy/v3", "publishedAt": "%s"}
                    """.formatted(now));
            assertThat(plain.status()).as(plain.toString()).isEqualTo(201);
            assertThat(plain.json().get("notified").asInt()).isZero();
            assertThat(lethe.count("select count(*) from outbox where account_id = ?", a.id()))
                    .isEqualTo(2);
            Thread.sleep(600); // two delivery runs
            assertThat(mail.greenMail().getReceivedMessages()).hasSize(2);

            // the addresses are sealed everywhere and never logged; the audit has counts only
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .noneMatch(c -> c.text().contains(TOLD) || c.text().contains(ALSO_TOLD));
            String logged;
            synchronized (logs) {
                // the test's SMTP server stands for the world outside Lethe: its own log is not Lethe's
                logged = String.join(
                        "\n",
                        logs.events().stream()
                                .filter(e -> !e.getLoggerName().startsWith("com.icegreen"))
                                .map(e -> e.getFormattedMessage() + " " + Arrays.toString(e.getArgumentArray()))
                                .toList());
            }
            assertThat(logged).doesNotContain(TOLD).doesNotContain(ALSO_TOLD);
            assertThat(lethe.strings(
                            "select action from audit_log where account_id = ? and action = 'consent.policy.material'",
                            a.id()))
                    .hasSize(1);
        }
    }

    private static String person(Http http, String key, String visitor, String email) {
        var identified = http.post("/v1/identify", key, """
                {"visitorId": "%s", "identifiers": {"email": "%s"}}
                """.formatted(visitor, email));
        assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
        return identified.json().get("profileId").asText();
    }

    private static Http.Response grant(Http http, String key, String subject) {
        return http.post("/v1/consents", key, """
                {"subject": %s, "policyVersion": "v1", "purposes": {"targeting": true}, "source": "banner"}
                """.formatted(subject));
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
