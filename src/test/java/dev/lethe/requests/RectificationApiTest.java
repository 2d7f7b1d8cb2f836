package dev.lethe.requests;

import static dev.lethe.requests.RequestsApiTest.person;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rectification (GDPR Art. 16), by {@code PATCH /v1/profiles/{id}} or by a rectification request
 * carrying {@code changes}: the field's values are replaced by the corrected one, sealed anew;
 * the audit names the field, never a value; a wrong correction changes nothing.
 */
class RectificationApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCorrectedTraitReplacesTheValuesHeldAndTheAuditNamesOnlyTheField(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = person(http, a.adminKey(), "zebulon@example.org"); // name: Zebulon
            var subject = UUID.fromString(profile);

            var wrong = http.patch("/v1/profiles/" + profile, a.adminKey(), """
                    {"traits": {"name": "Zebulon Quirk", "nickname": "Zeb"}}
                    """);
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(422);
            assertThat(wrong.json().get("errors").get(0).get("path").asText()).isEqualTo("traits.nickname");
            assertThat(name(lethe, a.adminKey(), profile)).as("nothing changed").isEqualTo("Zebulon");

            var fixed = http.patch("/v1/profiles/" + profile, a.adminKey(), """
                    {"traits": {"name": "Zebulon Quirk"}}
                    """);
            assertThat(fixed.status()).as(fixed.toString()).isEqualTo(200);
            assertThat(fixed.json().get("fields").get(0).asText()).isEqualTo("traits.name");
            assertThat(name(lethe, a.adminKey(), profile)).isEqualTo("Zebulon Quirk");
            assertThat(lethe.count(
                            "select count(*) from personal_values where subject_id = ? and field = 'traits.name'",
                            subject))
                    .as("the wrong value is gone, not kept beside the right one")
                    .isEqualTo(1);

            var request = http.post("/v1/requests", a.adminKey(), """
                    {"type": "rectification", "subject": {"email": "zebulon@example.org"},
                     "changes": {"traits": {"name": "Zebulon Q. Quirk"}}}
                    """);
            assertThat(request.status()).as(request.toString()).isEqualTo(201);
            assertThat(request.json().get("status").asText()).isEqualTo("completed");
            assertThat(request.json().get("outcome").asText()).isEqualTo("rectified");
            assertThat(name(lethe, a.adminKey(), profile)).isEqualTo("Zebulon Q. Quirk");

            var withVerify = http.post("/v1/requests", a.adminKey(), """
                    {"type": "rectification", "subject": {"email": "zebulon@example.org"}, "verify": true,
                     "changes": {"traits": {"name": "Someone Else"}}}
                    """);
            assertThat(withVerify.status()).isEqualTo(422);
            assertThat(withVerify.json().get("errors").get(0).get("path").asText())
                    .isEqualTo("changes");
            assertThat(name(lethe, a.adminKey(), profile)).isEqualTo("Zebulon Q. Quirk");

            assertThat(lethe.strings("select detail from audit_log where action = 'profile.rectify'"))
                    .hasSize(2)
                    .allSatisfy(d -> assertThat(d).contains("traits.name").doesNotContain("Quirk"));
        }
    }

    private static String name(TestLethe lethe, String key, String profile) {
        var r = lethe.http().get("/v1/profiles/" + profile, key);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json()
                .at("/traits/name/value")
                .asText(r.json().at("/traits/name").asText());
    }
}
