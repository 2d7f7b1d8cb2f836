package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Values of custom fields: trimmed when they arrive, shown in their type. */
class CustomFieldValuesApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void numbersAndBooleansComeBackTypedAndTextComesBackTrimmed(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.TIER);
            http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.WIDTH);
            http.post("/v1/fields", a.adminKey(), """
                    {"key": "newsletter", "category": "visit_history", "type": "boolean"}
                    """);
            http.post("/v1/fields", a.adminKey(), """
                    {"key": "ring_size", "category": "visit_history", "type": "number"}
                    """);

            var identified = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"},
                     "traits": {"shoe_width": " 42 ", "tier": "  gold  ", "newsletter": true, "ring_size": 7.5}}
                    """);
            assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
            String id = identified.json().get("profileId").asText();

            var view = http.get("/v1/profiles/" + id, a.adminKey()).json().get("traits");
            assertThat(view.get("shoe_width").isNumber()).as(view.toString()).isTrue();
            assertThat(view.get("shoe_width").asInt()).isEqualTo(42);
            assertThat(view.get("ring_size").decimalValue()).isEqualByComparingTo("7.5");
            assertThat(view.get("newsletter").isBoolean()).as(view.toString()).isTrue();
            assertThat(view.get("newsletter").asBoolean()).isTrue();
            assertThat(view.get("tier").isTextual()).isTrue();
            assertThat(view.get("tier").asText()).isEqualTo("gold");

            var row = http.get(
                            "/v1/profiles?columns=id,field.shoe_width,field.newsletter,field.tier,field.ring_size",
                            a.adminKey())
                    .json()
                    .at("/profiles/0");
            assertThat(row.get("field.shoe_width").isNumber())
                    .as(row.toString())
                    .isTrue();
            assertThat(row.get("field.shoe_width").asInt()).isEqualTo(42);
            assertThat(row.get("field.ring_size").isNumber()).isTrue();
            assertThat(row.get("field.newsletter").isBoolean()).isTrue();
            assertThat(row.get("field.tier").asText()).isEqualTo("gold");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBlankValueIsNoValueAndLeavesTheOneHeld(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.TIER);
            http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.WIDTH);
            String id = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org"}, "traits": {"tier": "gold", "shoe_width": 7}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            lethe.clock().advance(java.time.Duration.ofMinutes(1));

            var blank = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"tier": "   ", "shoe_width": ""}}
                    """);

            assertThat(blank.status()).as(blank.toString()).isEqualTo(200);
            var traits = http.get("/v1/profiles/" + id, a.adminKey()).json().get("traits");
            assertThat(traits.get("tier").asText()).isEqualTo("gold");
            assertThat(traits.get("shoe_width").asInt()).isEqualTo(7);
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and field = 'traits.tier'",
                            a.id()))
                    .isEqualTo(1);
            assertThat(http.get("/v1/profiles?field.tier=gold", a.adminKey())
                            .json()
                            .get("profiles"))
                    .hasSize(1);
        }
    }
}
