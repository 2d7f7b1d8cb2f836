package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileMergeApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void mergingMovesEverythingToTheSurvivorWithItsKeysAndTheOtherProfileIsGone(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view", "context": {"url": "https://shop.example/a"}}]}
                    """);
            String survivor = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                    """)
                    .json()
                    .get("profileId")
                    .asText();
            http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "phone-1", "type": "page_view", "context": {"url": "https://shop.example/b"}}]}
                    """);
            String other = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "phone-1", "identifiers": {"phone": "+32 471 23 45 67"}, "traits": {"name": "Zebulon Quux"}}
                    """)
                    .json()
                    .get("profileId")
                    .asText();
            assertThat(other).isNotEqualTo(survivor);

            var r = http.post("/v1/profiles/" + survivor + "/merge", a.adminKey(), "{\"from\": \"" + other + "\"}");

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().get("values").asInt()).isPositive();
            var view = http.get("/v1/profiles/" + survivor, a.adminKey()).json();
            assertThat(view.at("/contact/email").asText()).isEqualTo("zebulon@example.org");
            assertThat(view.at("/contact/phone").asText()).isEqualTo("+32471234567");
            assertThat(view.at("/traits/name").asText()).isEqualTo("Zebulon Quux");
            assertThat(view.at("/summary/devices").asInt()).isEqualTo(2);
            assertThat(view.at("/summary/visits").asInt()).isEqualTo(2);
            assertThat(http.get("/v1/profiles/" + other, a.adminKey()).status()).isEqualTo(404);
            assertThat(lethe.count("select count(*) from subject_keys where subject_id = ?", other))
                    .isZero();
            assertThat(lethe.count("select count(*) from personal_values where subject_id = ?", other))
                    .isZero();
            // The phone now finds the survivor.
            var again = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"phone": "+32471234567"}}
                    """);
            assertThat(again.json().get("profileId").asText()).isEqualTo(survivor);
            var audit = http.get("/v1/audit?action=profile.merge", a.adminKey())
                    .json()
                    .get("entries");
            assertThat(audit).hasSize(1);
            assertThat(audit.get(0).get("targets").toString())
                    .contains(survivor, other)
                    .doesNotContain("zebulon");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMergeWithItselfAnUnknownOrAnotherAccountsProfileIsRefusedAndChangesNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.putYaml("/v1/policy", b.adminKey(), TestPolicies.DATA_CORE);
            String mine = http.post(
                            "/v1/identify", a.adminKey(), "{\"identifiers\": {\"email\": \"zebulon@example.org\"}}")
                    .json()
                    .get("profileId")
                    .asText();
            String theirs = http.post(
                            "/v1/identify", b.adminKey(), "{\"identifiers\": {\"email\": \"quux@example.org\"}}")
                    .json()
                    .get("profileId")
                    .asText();
            var read = http.post("/v1/keys", a.adminKey(), "{\"scopes\":[\"read\"]}")
                    .json()
                    .get("key")
                    .asText();

            var self = http.post("/v1/profiles/" + mine + "/merge", a.adminKey(), "{\"from\": \"" + mine + "\"}");
            var foreign = http.post("/v1/profiles/" + mine + "/merge", a.adminKey(), "{\"from\": \"" + theirs + "\"}");
            var intoForeign =
                    http.post("/v1/profiles/" + theirs + "/merge", a.adminKey(), "{\"from\": \"" + mine + "\"}");
            var readOnly = http.post("/v1/profiles/" + mine + "/merge", read, "{\"from\": \"" + mine + "\"}");

            assertThat(self.status()).isEqualTo(422);
            assertThat(foreign.status()).isEqualTo(422);
            assertThat(foreign.json().at("/errors/0/path").asText()).isEqualTo("from");
            assertThat(intoForeign.status()).isEqualTo(404);
            assertThat(readOnly.status()).isEqualTo(403);
            assertThat(http.get("/v1/profiles/" + theirs, b.adminKey())
                            .json()
                            .at("/contact/email")
                            .asText())
                    .isEqualTo("quux@example.org");
            assertThat(http.get("/v1/profiles/" + mine, a.adminKey()).status()).isEqualTo(200);
        }
    }
}
