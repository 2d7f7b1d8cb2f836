package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CustomFieldsApiTest {

    static final String SHOE_SIZE =
            "{\"key\": \"shoe_width\", \"displayName\": \"Shoe width\", \"category\": \"visit_history\", \"type\": \"number\"}";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCustomFieldIsANewPolicyVersionAndIdentifyAcceptsItsTraitOfTheRightType(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            assertThat(http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"shoe_width": "7"}}
                    """).status()).isEqualTo(422);

            var created = http.post("/v1/fields", a.adminKey(), SHOE_SIZE);

            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().get("version").asInt()).isEqualTo(2);
            assertThat(http.get("/v1/fields", a.adminKey()).json().get("fields").toString())
                    .contains("shoe_width", "Shoe width", "number");
            assertThat(http.get("/v1/policy/diff?from=1&to=2", a.adminKey())
                            .json()
                            .at("/diff/sections/customFields/added")
                            .toString())
                    .contains("shoe_width");

            var wrongType = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"shoe_width": "wide"}}
                    """);
            assertThat(wrongType.status()).isEqualTo(422);
            assertThat(wrongType.json().at("/errors/0/path").asText()).isEqualTo("traits.shoe_width");
            var ok = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"shoe_width": "7"}}
                    """);
            assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
            var view = http.get("/v1/profiles/" + ok.json().get("profileId").asText(), a.adminKey())
                    .json();
            assertThat(view.at("/traits/shoe_width").asText()).isEqualTo("7");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aTakenKeyAnUnknownCategoryOrAReadKeyChangeNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.post("/v1/fields", a.adminKey(), SHOE_SIZE);
            var read = http.post("/v1/keys", a.adminKey(), "{\"scopes\":[\"read\"]}")
                    .json()
                    .get("key")
                    .asText();

            var again = http.post("/v1/fields", a.adminKey(), SHOE_SIZE);
            var unknown = http.post(
                    "/v1/fields",
                    a.adminKey(),
                    SHOE_SIZE.replace("shoe_width", "hat_size").replace("visit_history", "hats"));
            var mapped = http.post("/v1/fields", a.adminKey(), "{\"key\": \"name\", \"category\": \"visit_history\"}");
            var badType = http.post("/v1/fields", a.adminKey(), SHOE_SIZE.replace("number", "colour"));
            var readOnly = http.post("/v1/fields", read, SHOE_SIZE.replace("shoe_width", "hat_size"));

            assertThat(again.status()).isEqualTo(409);
            assertThat(unknown.status()).isEqualTo(422);
            assertThat(unknown.json().at("/errors/0/path").asText()).isEqualTo("customFields.hat_size.category");
            assertThat(mapped.status()).isEqualTo(409);
            assertThat(badType.status()).isEqualTo(422);
            assertThat(badType.json().at("/errors/0/path").asText()).isEqualTo("type");
            assertThat(readOnly.status()).isEqualTo(403);
            assertThat(http.get("/v1/policy/versions", a.adminKey()).json().get("versions"))
                    .hasSize(2);
        }
    }
}
