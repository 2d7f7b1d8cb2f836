package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Concurrently;
import dev.lethe.testing.Http;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The suppression list holds on every ingest path, not only track and identify: after an erasure,
 * a message naming the person's email or phone and a consent naming their visitor id or email
 * store nothing of them and make nobody (counted as suppressed), under the policy's
 * {@code ingest.afterErasure: drop}; under {@code new_subject} they start someone new, with no link
 * to the erased person; and racing the erasure, they never leave a person holding its identifiers.
 */
class SuppressionEverywhereTest {

    private static final String LATE_CONTENT = "zebulon-late-message-content";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void messagesAndConsentsForAnErasedPersonAreDroppedAndCounted(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            String key = Erasing.account(lethe, a);
            var http = lethe.http();
            String ingest = lethe.createKey(key, "ingest").key();
            publishPolicyVersion(http, key);
            String zebulon = Erasing.person(http, key, "laptop-zebulon", Erasing.EMAIL, Erasing.PHONE, Erasing.NAME);
            assertThat(http.delete("/v1/profiles/" + zebulon, key).status()).isEqualTo(200);
            long subjects = subjects(lethe, a.id());
            long consents = lethe.count("select count(*) from consents where account_id = ?", a.id());

            var messages = http.post(
                    "/v1/messages", key, """
                    {"messages": [
                      {"subject": {"email": "%s"}, "subjectType": "profile", "channel": "email", "direction": "inbound", "content": "%s"},
                      {"subject": {"phone": "%s"}, "subjectType": "profile", "channel": "sms", "direction": "inbound", "content": "%s"},
                      {"subject": {"email": "xavier@example.org"}, "subjectType": "profile", "channel": "email", "direction": "inbound",
                       "content": "hello"}
                    ]}
                    """.formatted(Erasing.EMAIL, LATE_CONTENT, Erasing.PHONE, LATE_CONTENT));

            assertThat(messages.status()).as(messages.toString()).isEqualTo(202);
            assertThat(messages.json().get("accepted").asInt()).isEqualTo(1);
            assertThat(messages.json().get("suppressed").asInt()).isEqualTo(2);
            assertThat(messages.json().get("rejected")).isEmpty();
            // only the other person was made; nothing of Zebulon came back
            assertThat(subjects(lethe, a.id())).isEqualTo(subjects + 1);
            assertThat(identifiersOf(lethe, a.id(), "email", Erasing.EMAIL)).isZero();
            assertThat(identifiersOf(lethe, a.id(), "phone", Erasing.PHONE_NORMALISED))
                    .isZero();
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .noneMatch(c -> c.text().contains(LATE_CONTENT) || c.text().contains(Erasing.EMAIL));

            // a banner's answer for the erased visitor: an ingest key is told it was suppressed
            var banner = http.post("/v1/consents", ingest, consent("{\"visitorId\": \"laptop-zebulon\"}"));
            assertThat(banner.status()).as(banner.toString()).isEqualTo(202);
            assertThat(banner.json().get("recorded").asInt()).isZero();
            assertThat(banner.json().get("suppressed").asInt()).isEqualTo(1);
            // a key that may read is told the person was erased, as identify tells it
            var byEmail = http.post("/v1/consents", key, consent("{\"email\": \"" + Erasing.EMAIL + "\"}"));
            assertThat(byEmail.status()).as(byEmail.toString()).isEqualTo(410);
            assertThat(byEmail.toString()).doesNotContain(Erasing.EMAIL);
            // bad input is still reported as such, nothing stored
            var bad = http.post(
                    "/v1/consents",
                    ingest,
                    consent("{\"visitorId\": \"laptop-zebulon\"}").replace("\"v1\"", "\"v9\""));
            assertThat(bad.status()).as(bad.toString()).isEqualTo(422);

            assertThat(subjects(lethe, a.id())).isEqualTo(subjects + 1);
            assertThat(identifiersOf(lethe, a.id(), "visitorId", "laptop-zebulon"))
                    .isZero();
            assertThat(lethe.count("select count(*) from consents where account_id = ?", a.id()))
                    .isEqualTo(consents);
            assertThat(lethe.strings(
                            "select action from audit_log where account_id = ? and action = 'activity.messages'",
                            a.id()))
                    .isNotEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void underNewSubjectAMessageAndAConsentStartSomeoneNewUnlinked(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            String key = Erasing.account(lethe, a);
            var put = http.putYaml("/v1/policy", key, Erasing.POLICY + "ingest: { afterErasure: new_subject }\n");
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            String ingest = lethe.createKey(key, "ingest").key();
            publishPolicyVersion(http, key);
            String zebulon = Erasing.person(http, key, "laptop-zebulon", Erasing.EMAIL, Erasing.PHONE, Erasing.NAME);
            assertThat(http.delete("/v1/profiles/" + zebulon, key).status()).isEqualTo(200);
            assertThat(subjects(lethe, a.id())).isZero();

            var message = http.post("/v1/messages", key, """
                    {"messages": [{"subject": {"email": "%s"}, "subjectType": "profile", "channel": "email", "direction": "inbound",
                      "content": "%s"}]}
                    """.formatted(Erasing.EMAIL, LATE_CONTENT));
            assertThat(message.json().get("accepted").asInt())
                    .as(message.toString())
                    .isEqualTo(1);
            assertThat(message.json().get("suppressed").asInt()).isZero();
            var banner = http.post("/v1/consents", ingest, consent("{\"visitorId\": \"laptop-zebulon\"}"));
            assertThat(banner.status()).as(banner.toString()).isEqualTo(201);

            // two new people (a profile by the email, an anonymous visitor), neither the erased one
            var people = lethe.strings("select subject_id from subjects where account_id = ?", a.id());
            assertThat(people).hasSize(2).doesNotContain(zebulon);
            assertThat(lethe.count(
                            "select count(*) from messages where account_id = ? and subject_id = ?", a.id(), zebulon))
                    .isZero();
            assertThat(lethe.count(
                            "select count(*) from consents where account_id = ? and subject_id = ?", a.id(), zebulon))
                    .isZero();
            // the newcomer holds only what it was sent: one message, none of Zebulon's past
            String newcomer = lethe.strings("select subject_id from messages where account_id = ?", a.id())
                    .get(0);
            assertThat(lethe.count(
                            "select count(*) from events where account_id = ? and subject_id = ?", a.id(), newcomer))
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void messagesAndConsentsRacingTheErasureMakeNobodyOfTheErasedIdentifiers(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            String key = Erasing.account(lethe, a);
            var http = lethe.http();
            String ingest = lethe.createKey(key, "ingest").key();
            publishPolicyVersion(http, key);
            for (int round = 0; round < 3; round++) {
                String visitor = "laptop-" + round;
                String email = "racer" + round + "@example.org";
                String person = Erasing.person(http, key, visitor, email, "+32 471 00 00 0" + round, "Racer");
                var calls = new ArrayList<Callable<Http.Response>>();
                calls.add(() -> http.delete("/v1/profiles/" + person, key));
                for (int i = 0; i < 3; i++) {
                    calls.add(() -> http.post("/v1/messages", key, """
                            {"messages": [{"subject": {"email": "%s"}, "subjectType": "profile", "channel": "email", "direction": "inbound",
                              "content": "late"}]}
                            """.formatted(email)));
                    calls.add(() -> http.post("/v1/consents", ingest, consent("{\"visitorId\": \"" + visitor + "\"}")));
                }

                List<Http.Response> answers = Concurrently.run(calls);

                assertThat(answers.get(0).status())
                        .as(answers.get(0).toString())
                        .isEqualTo(200);
                for (var r : answers) assertThat(r.status()).as(r.toString()).isLessThan(500);
                // whatever won each race, no person holds the erased identifiers now
                assertThat(identifiersOf(lethe, a.id(), "email", email))
                        .as("email")
                        .isZero();
                assertThat(identifiersOf(lethe, a.id(), "visitorId", visitor))
                        .as("visitor")
                        .isZero();
                assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                        .isZero();
            }
        }
    }

    private static void publishPolicyVersion(Http http, String key) {
        var published = http.post("/v1/privacy-policies", key, """
                {"version": "v1", "url": "https://shop.example/privacy/v1", "publishedAt": "2020-01-01T00:00:00Z"}
                """);
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
    }

    private static String consent(String subject) {
        return """
                {"subject": %s, "policyVersion": "v1", "purposes": {"targeting": true}, "source": "banner"}
                """.formatted(subject);
    }

    private static long subjects(TestLethe lethe, String accountId) {
        return lethe.count("select count(*) from subjects where account_id = ?", accountId);
    }

    private static long identifiersOf(TestLethe lethe, String accountId, String kind, String normalised) {
        String index = HexFormat.of().formatHex(lethe.lethe().keyring().blindIndex(accountId, kind, normalised));
        return lethe.count(
                "select count(*) from identifiers where account_id = ? and blind_index = ?", accountId, index);
    }
}
