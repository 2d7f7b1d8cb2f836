package dev.lethe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.testing.CapturedLogs;
import dev.lethe.testing.MailServer;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sub-processor change subscriptions with a real SMTP server (GreenMail): a subscriber confirms
 * by the link of the confirmation mail, then a policy version adding a processor brings a mail
 * naming it, with when it takes effect and an unsubscribe link that works; an unconfirmed
 * subscriber gets nothing; a confirmation link expires after seven days; the address is in no table
 * and no log line.
 */
class SubprocessorSubscriptionTest {

    static final String SUBSCRIBER = "wilhelmina.subscriber@example.org";
    static final String UNCONFIRMED = "ignatius.unconfirmed@example.org";
    static final String LATE = "late.confirmer@example.org";
    static final Pattern TOKEN =
            Pattern.compile("(/v1/subprocessor-subscriptions/(confirm|unsubscribe)\\?token=[A-Za-z0-9._-]+)");

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @RegisterExtension
    final MailServer mail = new MailServer();

    List<MimeMessage> to(String address) throws Exception {
        var out = new java.util.ArrayList<MimeMessage>();
        for (var m : mail.greenMail().getReceivedMessages()) {
            if (Arrays.stream(m.getRecipients(Message.RecipientType.TO))
                    .anyMatch(r -> r.toString().equals(address))) out.add(m);
        }
        return out;
    }

    static String link(MimeMessage m, String kind) throws Exception {
        var matcher = TOKEN.matcher(((String) m.getContent()));
        while (matcher.find()) if (matcher.group(2).equals(kind)) return matcher.group(1);
        throw new AssertionError("no " + kind + " link in the message");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aConfirmedSubscriberHearsOfAnAddedProcessorAndCanUnsubscribe(TestDatabase engine) throws Exception {
        var outbox = OutboxSettings.DEFAULT
                .withSmtp(mail.smtp("lethe@example.net"))
                .withDeliveryInterval(Duration.ofMillis(200));
        try (var lethe = new TestLethe(
                engine,
                config -> config.withOutbox(outbox)
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))))) {
            var a = lethe.createAccount("Notice Shop");
            var http = lethe.http();
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), WebhookDeliveryTest.POLICY)
                            .status())
                    .isEqualTo(201);
            for (String email : List.of(SUBSCRIBER, UNCONFIRMED, LATE)) {
                var r = http.post("/v1/subprocessor-subscriptions", ingest, "{\"email\": \"" + email + "\"}");
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
            }
            // the same address again (in other case): the same answer, nothing more sent
            var again = http.post(
                    "/v1/subprocessor-subscriptions", ingest, "{\"email\": \"" + SUBSCRIBER.toUpperCase() + "\"}");
            assertThat(again.status()).isEqualTo(202);
            assertThat(mail.greenMail().waitForIncomingEmail(20_000, 3)).isTrue();
            assertThat(lethe.count("select count(*) from subprocessor_subscriptions"))
                    .isEqualTo(3);

            String confirm = link(to(SUBSCRIBER).get(0), "confirm");
            var confirmed = http.get(confirm, null);
            assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
            assertThat(http.get(confirm, null).status()).as("a used link").isEqualTo(404);
            assertThat(http.get("/v1/subprocessor-subscriptions/confirm?token=" + a.id() + ".forged", null)
                            .status())
                    .isEqualTo(404);

            String withNewco = WebhookDeliveryTest.POLICY.replace("processors:\n", """
                    processors:
                      - name: "Newco Mail GmbH"
                        address: "Beispielstrasse 1, Berlin"
                        purpose: newsletters
                        location: DE
                        effectiveFrom: 2099-03-01
                        categories: { profile: [email_address] }
                    """);
            var added = http.putYaml("/v1/policy", a.adminKey(), withNewco);
            assertThat(added.status()).as(added.toString()).isEqualTo(201);
            assertThat(mail.greenMail().waitForIncomingEmail(20_000, 4)).isTrue();
            var notices = to(SUBSCRIBER);
            assertThat(notices).hasSize(2);
            String text = (String) notices.get(1).getContent();
            assertThat(notices.get(1).getSubject()).contains("Sub-processor changes");
            assertThat(text)
                    .contains("Newco Mail GmbH")
                    .contains("takes effect 2099-03-01")
                    .contains("Added:");
            assertThat(to(UNCONFIRMED)).as("only the confirmation").hasSize(1);
            assertThat(to(LATE)).hasSize(1);

            // a version that changes no processor tells nobody
            var same = http.putYaml("/v1/policy", a.adminKey(), withNewco);
            assertThat(same.status()).isEqualTo(201);
            assertThat(lethe.count("select count(*) from outbox where purpose = 'subprocessor-change'"))
                    .isEqualTo(1);

            String unsubscribe = link(notices.get(1), "unsubscribe");
            var gone = http.get(unsubscribe, null);
            assertThat(gone.status()).as(gone.toString()).isEqualTo(200);
            assertThat(lethe.count("select count(*) from subprocessor_subscriptions where confirmed_at is not null"))
                    .isZero();
            var tampered = unsubscribe.substring(0, unsubscribe.length() - 3) + "AAA";
            assertThat(http.get(tampered, null).status()).isEqualTo(404);
            var removed = http.putYaml("/v1/policy", a.adminKey(), WebhookDeliveryTest.POLICY);
            assertThat(removed.status()).isEqualTo(201);
            assertThat(lethe.count("select count(*) from outbox where purpose = 'subprocessor-change'"))
                    .as("nobody is subscribed any more")
                    .isEqualTo(1);

            // a confirmation link works seven days
            lethe.clock().advance(Duration.ofDays(8));
            assertThat(http.get(link(to(LATE).get(0), "confirm"), null).status())
                    .isEqualTo(404);

            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .as("no table holds a subscriber's address in clear")
                    .noneMatch(c -> c.text().contains(SUBSCRIBER)
                            || c.text().contains(UNCONFIRMED)
                            || c.text().contains(LATE));
            String logged = loggedText();
            assertThat(logged)
                    .doesNotContain(SUBSCRIBER)
                    .doesNotContain(UNCONFIRMED)
                    .doesNotContain(LATE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSubscriptionNeedsExactlyOneValidAddress(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Picky Shop");
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            for (String body : List.of(
                    "{}",
                    "{\"email\": \"not-an-address\"}",
                    "{\"email\": \"a@example.org\", \"webhookUrl\": \"https://example.org/h\"}",
                    "{\"webhookUrl\": \"file:///etc/passwd\"}")) {
                var r = lethe.http().post("/v1/subprocessor-subscriptions", ingest, body);
                assertThat(r.status()).as(body + " " + r).isEqualTo(422);
                assertThat(r.contentType()).startsWith("application/problem+json");
            }
            assertThat(lethe.count("select count(*) from subprocessor_subscriptions"))
                    .isZero();
            assertThat(lethe.count("select count(*) from outbox")).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aWebhookSubscriberConfirmsByItsPingAndAccountWebhooksHearOfTheChange(TestDatabase engine) throws Exception {
        try (var receiver = new Receiver(200);
                var lethe = WebhookDeliveryTest.lethe(engine, WebhookDeliveryTest.settings(3, true))) {
            var a = lethe.createAccount("Hooked Notices");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), WebhookDeliveryTest.POLICY)
                            .status())
                    .isEqualTo(201);
            var hook = http.post("/v1/webhooks", a.adminKey(), """
                    {"url": "%s", "events": ["subprocessors.changed"]}""".formatted(receiver.url("/account")));
            assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            var subscribed =
                    http.post("/v1/subprocessor-subscriptions", ingest, """
                    {"webhookUrl": "%s"}""".formatted(receiver.url("/subscriber")));
            assertThat(subscribed.status()).as(subscribed.toString()).isEqualTo(202);
            assertThat(subscribed.body())
                    .as("the public route never shows a secret")
                    .doesNotContain("whsec_");
            WebhookDeliveryTest.waitFor(() -> receiver.received().size() == 1, "the confirmation ping");
            var ping = receiver.received().get(0);
            assertThat(ping.header("Lethe-Event")).isEqualTo("subscription.confirm");
            assertThat(ping.header("Lethe-Signature"))
                    .as("no secret exists yet")
                    .isNull();
            assertThat(ping.body()).doesNotContain("whsec_");
            var confirm = TOKEN.matcher(ping.body());
            assertThat(confirm.find()).isTrue();
            var confirmed = http.get(confirm.group(1), null);
            assertThat(confirmed.status()).isEqualTo(200);
            // the secret comes with the confirmation, once: the link is used up
            String secret = confirmed.json().get("secret").asText();
            assertThat(secret).startsWith("whsec_");
            var again = http.get(confirm.group(1), null);
            assertThat(again.status()).isEqualTo(404);
            assertThat(again.body()).doesNotContain(secret);

            // Future Analytics Ltd goes: a removal, told to both
            var removed = http.putYaml(
                    "/v1/policy",
                    a.adminKey(),
                    WebhookDeliveryTest.POLICY.substring(0, WebhookDeliveryTest.POLICY.indexOf("  - name: \"Future")));
            assertThat(removed.status()).as(removed.toString()).isEqualTo(201);
            WebhookDeliveryTest.waitFor(() -> receiver.received().size() == 3, "both notices");
            var notices = receiver.received().subList(1, 3);
            assertThat(notices).allSatisfy(n -> {
                assertThat(n.header("Lethe-Event")).isEqualTo("subprocessors.changed");
                assertThat(n.body()).contains("\"removed\":[\"Future Analytics Ltd\"]");
            });
            assertThat(notices)
                    .anySatisfy(
                            n -> assertThat(n.body()).contains("/v1/subprocessor-subscriptions/unsubscribe?token="));
            // both signed: the account's endpoint with its secret, the subscriber with the one it
            // got when confirming (over the timestamp and the body, as docs/webhooks.md says)
            assertThat(notices)
                    .allSatisfy(n -> assertThat(n.header("Lethe-Signature")).startsWith("v1="));
            var toSubscriber = notices.stream()
                    .filter(n -> n.body().contains("/v1/subprocessor-subscriptions/unsubscribe?token="))
                    .findFirst()
                    .orElseThrow();
            assertThat(toSubscriber.header("Lethe-Signature"))
                    .isEqualTo("v1="
                            + WebhookDeliveryTest.hmac(
                                    secret, toSubscriber.header("Lethe-Timestamp") + "." + toSubscriber.body()));
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .as("the subscriber's URL and secret are sealed")
                    .noneMatch(c -> c.text().contains("/subscriber") || c.text().contains(secret));
            assertThat(http.get("/v1/outbox", a.adminKey()).body())
                    .doesNotContain("/subscriber")
                    .doesNotContain(secret);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void confirmationsAreLimitedPerAddressAndPerAccountHourWithTheSameAnswer(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Bombed Shop");
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            // one address asked for again and again: one confirmation
            for (int i = 0; i < 5; i++) {
                var r = lethe.http().post("/v1/subprocessor-subscriptions", ingest, """
                        {"email": "%s"}""".formatted(
                                i % 2 == 0 ? SUBSCRIBER : SUBSCRIBER.toUpperCase()));
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
                assertThat(r.body()).isEqualTo("{\"accepted\":true}");
            }
            assertThat(lethe.count("select count(*) from outbox")).isEqualTo(1);
            // many addresses: the account's hourly cap, then the same 202 and nothing sent
            int cap = dev.lethe.subscriptions.SubprocessorSubscriptions.CONFIRMATIONS_PER_HOUR;
            for (int i = 1; i <= cap + 3; i++) {
                var r = lethe.http().post("/v1/subprocessor-subscriptions", ingest, """
                        {"email": "bombed%d@example.org"}""".formatted(i));
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
                assertThat(r.body()).isEqualTo("{\"accepted\":true}");
            }
            assertThat(lethe.count("select count(*) from outbox")).isEqualTo(cap);
            assertThat(lethe.count("select count(*) from subprocessor_subscriptions"))
                    .isEqualTo(cap);
            // an hour on, the next one is taken
            lethe.clock().advance(Duration.ofMinutes(61));
            assertThat(lethe.http()
                            .post("/v1/subprocessor-subscriptions", ingest, """
                                    {"email": "after.the.hour@example.org"}""")
                            .status())
                    .isEqualTo(202);
            assertThat(lethe.count("select count(*) from outbox")).isEqualTo(cap + 1);
            assertThat(loggedText()).doesNotContain("bombed").doesNotContain(SUBSCRIBER);
        }
    }

    private String loggedText() {
        synchronized (logs) {
            var out = new StringBuilder();
            for (var e : logs.events()) {
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
