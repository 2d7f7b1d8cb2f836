package dev.lethe.consent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An identifier of a consent-based category (the web personalisation seed's email) over HTTP:
 * without a current consent for its purpose identify neither stores it (no value, no blind index)
 * nor finds anyone by it, and counts it as dropped; the visitor id is the way in; once the person
 * consented, both are stored and it finds them; after a withdrawal it finds no one again. A
 * message follows the same rule: naming only such an email, it finds and makes no one and is
 * refused, until the person consented.
 */
class ConsentIdentifiersTest {

    /** The consent policy with the email held on consent, for identification. */
    static final String POLICY = ConsentApiTest.POLICY.replaceFirst("lawfulBasis: contract", "lawfulBasis: consent");

    static final String EMAIL = "zebulon.quagga@example.org";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIdentifierHeldOnConsentIsNeitherStoredNorUsedWithoutIt(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            var put = http.putYaml("/v1/policy", a.adminKey(), POLICY);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            assertThat(http.post("/v1/privacy-policies", a.adminKey(), """
                            {"version": "v1", "url": "https://quokka.example/privacy/v1",
                             "publishedAt": "2020-01-01T00:00:00Z"}
                            """).status())
                    .isEqualTo(201);

            // before consent: the visitor becomes the profile, the email is dropped and counted
            var first = http.post("/v1/identify", a.adminKey(), withVisitor("v-9"));
            assertThat(first.status()).as(first.toString()).isEqualTo(201);
            assertThat(first.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            String profile = first.json().get("profileId").asText();
            assertThat(emailIndexes(lethe)).isZero();
            assertThat(emails(lethe)).isZero();
            assertThat(RawStorage.cells(lethe.jdbcUrl()).stream()
                            .filter(c -> c.text().contains(EMAIL))
                            .toList())
                    .isEmpty();

            // the email alone finds no one and makes no one
            long people = lethe.count("select count(*) from subjects");
            var alone = http.post("/v1/identify", a.adminKey(), alone());
            assertThat(alone.status()).as(alone.toString()).isEqualTo(200);
            assertThat(alone.json().get("profileId").isNull()).isTrue();
            assertThat(alone.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(people);
            var receipt = http.post(
                    "/v1/identify", lethe.createKey(a.adminKey(), "ingest").key(), alone());
            assertThat(receipt.status()).as(receipt.toString()).isEqualTo(202);
            assertThat(emailIndexes(lethe)).isZero();

            // consent given (on the banner, by the visitor id): both are stored, and the email finds them
            var given = http.post("/v1/consents", a.adminKey(), consent("v-9", true));
            assertThat(given.status()).as(given.toString()).isEqualTo(201);
            var second = http.post("/v1/identify", a.adminKey(), withVisitor("v-9"));
            assertThat(second.status()).as(second.toString()).isEqualTo(200);
            assertThat(second.json().get("profileId").asText()).isEqualTo(profile);
            assertThat(second.json().get("consent").get("dropped").asInt()).isZero();
            assertThat(emailIndexes(lethe)).isEqualTo(1);
            assertThat(emails(lethe)).isEqualTo(1);
            var found = http.post("/v1/identify", a.adminKey(), alone());
            assertThat(found.status()).as(found.toString()).isEqualTo(200);
            assertThat(found.json().get("profileId").asText()).isEqualTo(profile);
            assertThat(RawStorage.cells(lethe.jdbcUrl()).stream()
                            .filter(c -> c.text().contains(EMAIL))
                            .toList())
                    .as("sealed, never in the clear")
                    .isEmpty();

            // withdrawn: until the sweep removes its blind index, the email finds no one
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            assertThat(http.post("/v1/consents", a.adminKey(), consent("v-9", false))
                            .status())
                    .isEqualTo(201);
            var withdrawn = http.post("/v1/identify", a.adminKey(), alone());
            assertThat(withdrawn.json().get("profileId").isNull())
                    .as(withdrawn.toString())
                    .isTrue();
            assertThat(http.post("/v1/sweeps", a.adminKey(), "{}").status()).isEqualTo(200);
            assertThat(emailIndexes(lethe)).isZero();
            assertThat(emails(lethe)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMessageNamingAnEmailHeldOnConsentFindsAndStoresNoOneWithoutIt(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            // the web personalisation example (its email is held on consent), with email messages
            String policy = Files.readString(Path.of("examples/web-personalisation.yaml"))
                    .replace("\n\nprocessors:", """

                              email_message:
                                kind: message
                                match: { channel: email }
                                retention: { period: P1Y, after: collected }

                            processors:""");
            var put = http.putYaml("/v1/policy", a.adminKey(), policy);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            assertThat(http.post("/v1/privacy-policies", a.adminKey(), """
                            {"version": "v1", "url": "https://quokka.example/privacy/v1",
                             "publishedAt": "2020-01-01T00:00:00Z"}
                            """).status())
                    .isEqualTo(201);
            var first = http.post("/v1/identify", a.adminKey(), withVisitor("v-9"));
            assertThat(first.status()).as(first.toString()).isEqualTo(201);
            String profile = first.json().get("profileId").asText();
            long people = lethe.count("select count(*) from subjects");

            // no consent: the email finds no one and makes no one; the message is refused, nothing stored
            var refused = http.post("/v1/messages", a.adminKey(), message());
            assertThat(refused.status()).as(refused.toString()).isEqualTo(202);
            assertThat(refused.json().get("accepted").asInt()).isZero();
            assertThat(refused.json().at("/rejected/0/errors/0/path").asText()).isEqualTo("messages[0].subject.email");
            assertThat(refused.json().at("/rejected/0/errors/0/message").asText())
                    .contains("held on consent")
                    .doesNotContain(EMAIL);
            assertThat(refused.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(people);
            assertThat(lethe.count("select count(*) from messages")).isZero();
            assertThat(emailIndexes(lethe)).isZero();
            assertThat(emails(lethe)).isZero();
            assertThat(RawStorage.cells(lethe.jdbcUrl()).stream()
                            .filter(c -> c.text().contains(EMAIL))
                            .toList())
                    .isEmpty();

            // consent given by the visitor id, the email identified: the message finds the person
            var given = http.post("/v1/consents", a.adminKey(), consent("v-9", true));
            assertThat(given.status()).as(given.toString()).isEqualTo(201);
            assertThat(http.post("/v1/identify", a.adminKey(), withVisitor("v-9"))
                            .status())
                    .isEqualTo(200);
            var stored = http.post("/v1/messages", a.adminKey(), message());
            assertThat(stored.status()).as(stored.toString()).isEqualTo(202);
            assertThat(stored.json().get("accepted").asInt())
                    .as(stored.toString())
                    .isEqualTo(1);
            assertThat(stored.json().get("consent").get("dropped").asInt()).isZero();
            assertThat(lethe.strings("select subject_id from messages")).containsExactly(profile);
            assertThat(emailIndexes(lethe)).isEqualTo(1);
            assertThat(emails(lethe)).isEqualTo(1);
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(people);
            assertThat(RawStorage.cells(lethe.jdbcUrl()).stream()
                            .filter(c -> c.text().contains(EMAIL))
                            .toList())
                    .as("sealed, never in the clear")
                    .isEmpty();
        }
    }

    static String message() {
        return """
                {"messages": [{"subject": {"email": "%s"}, "subjectType": "profile", "channel": "email",
                  "direction": "outbound", "status": "delivered"}]}
                """.formatted(EMAIL);
    }

    static String withVisitor(String visitor) {
        return """
                {"visitorId": "%s", "identifiers": {"email": "%s"}}
                """.formatted(visitor, EMAIL);
    }

    static String alone() {
        return """
                {"identifiers": {"email": "%s"}}
                """.formatted(EMAIL);
    }

    static String consent(String visitor, boolean granted) {
        return """
                {"subject": {"visitorId": "%s"}, "policyVersion": "v1", "purposes": {"identification": %s},
                 "source": "banner"}
                """.formatted(visitor, granted);
    }

    static long emailIndexes(TestLethe lethe) {
        return lethe.count("select count(*) from identifiers where kind = 'email'");
    }

    static long emails(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'email_address'");
    }
}
