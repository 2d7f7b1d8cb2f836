package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN promise 6: an ingest key is public by design (it ships in web pages), so identify tells
 * it nothing about who exists, and what it may change on a known person is the policy's {@code
 * ingest.knownPerson}: {@code add_only} by default, {@code replace} when the account chooses.
 * Keys with the read or admin scope are the account's own and keep the full answer.
 */
class IngestKeyIdentifyTest {

    private static final String RECEIPT = "{\"accepted\":true,\"dropped\":0,\"expired\":[]}";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIngestKeyGetsTheSameAnswerForANewAKnownAndAnErasedPerson(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            identify(http, a.adminKey(), "zebulon@example.org", "Zebulon");
            String erased = identify(http, a.adminKey(), "xavier@example.org", "Xavier")
                    .get("profileId")
                    .asText();
            var admin = lethe.lethe().accounts().authenticate(a.adminKey(), "127.0.0.1");
            assertThat(lethe.lethe().profiles().shredding().shred(admin, erased))
                    .isTrue();

            var known = post(http, ingest, "zebulon@example.org", "Zebulon");
            var fresh = post(http, ingest, "yolanda@example.org", "Yolanda");
            var again = post(http, ingest, "yolanda@example.org", "Yolanda");
            var gone = post(http, ingest, "xavier@example.org", "Xavier");

            for (var r : List.of(known, fresh, again, gone)) {
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
                assertThat(r.body()).isEqualTo(RECEIPT);
            }
            assertThat(profilesWithEmail(http, a.adminKey(), "yolanda@example.org"))
                    .as("the new person was made")
                    .hasSize(1);
            var adminOnErased = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "xavier@example.org"}}
                    """);
            assertThat(adminOnErased.status())
                    .as("the account's own key is told")
                    .isEqualTo(410);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void underTheDefaultAnIngestKeyAddsWhatAKnownPersonLacksAndReplacesNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            String zebulon = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org", "phone": "+32 471 23 45 67"},
                             "traits": {"name": "Zebulon"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();

            var replacing = http.post("/v1/identify", ingest, """
                    {"identifiers": {"email": "zebulon@example.org", "phone": "+32 499 99 99 99"},
                     "traits": {"name": "Mallory", "lastIp": "203.0.113.7"}}
                    """);
            var takingOver = http.post("/v1/identify", ingest, """
                    {"identifiers": {"phone": "+32 471 23 45 67", "email": "mallory@evil.example"}}
                    """);

            assertThat(replacing.body()).isEqualTo(RECEIPT);
            assertThat(takingOver.body()).isEqualTo(RECEIPT);
            var view = http.get("/v1/profiles/" + zebulon, a.adminKey()).json();
            assertThat(view.at("/contact/email").asText()).isEqualTo("zebulon@example.org");
            assertThat(view.at("/contact/phone").asText()).isEqualTo("+32471234567");
            assertThat(view.at("/traits/name").asText()).isEqualTo("Zebulon");
            assertThat(view.at("/traits/lastIp").asText())
                    .as("a trait the person did not have is added")
                    .isEqualTo("203.0.113.7");
            assertThat(profilesWithEmail(http, a.adminKey(), "mallory@evil.example"))
                    .as("another email does not lead to the person")
                    .isEmpty();
            assertThat(http.get("/v1/profiles?phone=%2B32499999999", a.adminKey())
                            .json()
                            .get("profiles"))
                    .as("another phone does not lead to the person")
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIngestKeyAddsANewIdentifierAKnownPersonLacks(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            String zebulon = identify(http, a.adminKey(), "zebulon@example.org", "Zebulon")
                    .get("profileId")
                    .asText();

            var added = http.post("/v1/identify", ingest, """
                    {"identifiers": {"email": "zebulon@example.org", "phone": "+32 471 23 45 67"}}
                    """);

            assertThat(added.body()).isEqualTo(RECEIPT);
            assertThat(http.get("/v1/profiles/" + zebulon, a.adminKey())
                            .json()
                            .at("/contact/phone")
                            .asText())
                    .isEqualTo("+32471234567");
            assertThat(http.get("/v1/profiles?phone=%2B32471234567", a.adminKey())
                            .json()
                            .at("/profiles/0/id")
                            .asText())
                    .isEqualTo(zebulon);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void underReplaceAnIngestKeyReplacesAKnownPersonsValuesAndIsStillToldNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            var put = http.putYaml(
                    "/v1/policy", a.adminKey(), TestPolicies.DATA_CORE + "ingest: { knownPerson: replace }\n");
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            String zebulon = identify(http, a.adminKey(), "zebulon@example.org", "Zebulon")
                    .get("profileId")
                    .asText();

            var replaced = post(http, ingest, "zebulon@example.org", "Zeb");

            assertThat(replaced.status()).isEqualTo(202);
            assertThat(replaced.body()).isEqualTo(RECEIPT);
            assertThat(http.get("/v1/profiles/" + zebulon, a.adminKey())
                            .json()
                            .at("/traits/name")
                            .asText())
                    .isEqualTo("Zeb");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void adminAndReadKeysAreToldTheProfileAndReplaceAsBefore(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String readAndIngest =
                    lethe.createKey(a.adminKey(), "read", "ingest").key();
            var created = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"name": "Zebulon"}}
                    """);
            String zebulon = created.json().get("profileId").asText();

            var byAdmin = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"name": "Zed"}}
                    """);
            var byReader = http.post("/v1/identify", readAndIngest, """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"lastIp": "203.0.113.7"}}
                    """);

            assertThat(created.status()).isEqualTo(201);
            assertThat(created.json().get("created").asBoolean()).isTrue();
            assertThat(byAdmin.status()).isEqualTo(200);
            assertThat(byAdmin.json().get("profileId").asText()).isEqualTo(zebulon);
            assertThat(byAdmin.json().get("created").asBoolean()).isFalse();
            assertThat(byReader.status()).isEqualTo(200);
            assertThat(byReader.json().get("profileId").asText()).isEqualTo(zebulon);
            assertThat(http.get("/v1/profiles/" + zebulon, a.adminKey())
                            .json()
                            .at("/traits/name")
                            .asText())
                    .isEqualTo("Zed");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theSettingIsPartOfThePolicyCheckedShownAndDiffed(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();

            var bad = http.putYaml(
                    "/v1/policy",
                    a.adminKey(),
                    TestPolicies.DATA_CORE + "ingest: { knownPerson: sometimes, who: all }\n");
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            var shown = http.get("/v1/policy", a.adminKey()).json();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE + "ingest: { knownPerson: replace }\n");
            var diff = http.get("/v1/policy/diff?from=1&to=2", a.adminKey());

            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().findValuesAsText("path")).contains("ingest.knownPerson", "ingest.who");
            assertThat(bad.body()).contains("add_only, replace");
            assertThat(shown.toString())
                    .contains("\"ingest\":{\"knownPerson\":\"add_only\",\"afterErasure\":\"drop\"}");
            assertThat(diff.status()).as(diff.toString()).isEqualTo(200);
            assertThat(diff.body()).contains("ingest");
        }
    }

    private static JsonNode identify(Http http, String key, String email, String name) {
        var r = post(http, key, email, name);
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json();
    }

    private static Http.Response post(Http http, String key, String email, String name) {
        return http.post("/v1/identify", key, """
                {"identifiers": {"email": "%s"}, "traits": {"name": "%s"}}
                """.formatted(email, name));
    }

    private static JsonNode profilesWithEmail(Http http, String key, String email) {
        return http.get("/v1/profiles?email=" + email.replace("@", "%40"), key)
                .json()
                .get("profiles");
    }
}
