package dev.lethe.profiles;

import static dev.lethe.profiles.ProfileFilterApiTest.paths;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Custom fields across policy versions: never dropped silently, removed only on purpose. */
class CustomFieldVersionsApiTest {

    static final String TIER = ProfileFilterApiTest.TIER;

    static String example() throws IOException {
        return Files.readString(Path.of(System.getProperty("user.dir"), "examples", "web-personalisation.yaml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aNewDocumentKeepsTheCustomFieldsItDoesNotMentionAndSaysSo(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            assertThat(http.post("/v1/fields", a.adminKey(), TIER).status()).isEqualTo(201);

            var put = http.putYaml("/v1/policy", a.adminKey(), example());

            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            assertThat(put.json().get("customFieldsKept").toString()).isEqualTo("[\"tier\"]");
            assertThat(put.json().get("customFieldsReplaced")).isEmpty();
            assertThat(http.get("/v1/fields", a.adminKey())
                            .json()
                            .at("/fields/0/key")
                            .asText())
                    .isEqualTo("tier");
            assertThat(http.get("/v1/fields", a.adminKey())
                            .json()
                            .at("/fields/0/filterable")
                            .asBoolean())
                    .isTrue();
            var yaml = http.get("/v1/policy?format=yaml", a.adminKey());
            assertThat(yaml.contentType()).startsWith("application/yaml");
            assertThat(yaml.body())
                    .as("the version's text is the document as written, plus the field it kept")
                    .startsWith("# Example policy: a website personalisation platform.")
                    .contains("customFields:", "tier:", "Loyalty tier");

            var again = http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            assertThat(again.json().get("customFieldsKept").toString()).isEqualTo("[\"tier\"]");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aFieldGoesOnlyByItsOwnRouteOrByADocumentThatDeclaresItOtherwise(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.post("/v1/fields", a.adminKey(), TIER);
            http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.WIDTH);

            var redeclared = http.putYaml(
                    "/v1/policy",
                    a.adminKey(),
                    TestPolicies.DATA_CORE.replace("fields:\n", "fields:\n  traits.tier: visit_history\n")
                            + "customFields:\n  shoe_width: { category: visit_history, type: text }\n");

            assertThat(redeclared.status()).as(redeclared.toString()).isEqualTo(201);
            assertThat(redeclared.json().get("customFieldsKept")).isEmpty();
            assertThat(redeclared.json().get("customFieldsReplaced").toString()).isEqualTo("[\"tier\"]");
            assertThat(http.get("/v1/fields", a.adminKey()).json().get("fields").toString())
                    .contains("shoe_width", "\"type\":\"text\"")
                    .doesNotContain("tier");

            var removed = http.delete("/v1/fields/shoe_width", a.adminKey());
            assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
            assertThat(removed.json().get("version").asInt()).isEqualTo(5);
            assertThat(removed.json().get("removed").asText()).isEqualTo("shoe_width");
            assertThat(http.get("/v1/fields", a.adminKey()).json().get("fields"))
                    .isEmpty();
            assertThat(http.delete("/v1/fields/shoe_width", a.adminKey()).status())
                    .isEqualTo(404);
            assertThat(http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE)
                            .json()
                            .get("customFieldsKept"))
                    .as("a removed field stays removed")
                    .isEmpty();
            var read = lethe.createKey(a.adminKey(), "read").key();
            assertThat(http.delete("/v1/fields/tier", read).status()).isEqualTo(403);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aKeptFieldTheNewDocumentCannotHoldIsNamedWithWhatToDo(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.post("/v1/fields", a.adminKey(), TIER);

            var refused = http.putYaml("/v1/policy", a.adminKey(), TestPolicies.SMALL);

            assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
            assertThat(paths(refused.json())).containsExactly("customFields.tier.category");
            assertThat(refused.json().at("/errors/0/message").asText()).contains("DELETE /v1/fields/tier");
            assertThat(lethe.policyVersions(a.adminKey())).hasSize(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aFieldASegmentFiltersOnIsNotRemovedUnderIt(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            ProfileFilterApiTest.seed(lethe, a.adminKey());
            String id = http.post("/v1/segments", a.adminKey(), """
                    {"name": "Silver", "filter": {"fields": {"tier": "silver"}}}
                    """)
                    .json()
                    .get("id")
                    .asText();

            var removed = http.delete("/v1/fields/tier", a.adminKey());
            var unfilterable = http.putYaml(
                    "/v1/policy",
                    a.adminKey(),
                    TestPolicies.DATA_CORE + "customFields:\n  tier: { category: visit_history }\n");

            assertThat(removed.status()).as(removed.toString()).isEqualTo(409);
            assertThat(paths(removed.json())).containsExactly("customFields.tier");
            assertThat(removed.json().at("/errors/0/message").asText()).contains("Silver", id);
            assertThat(unfilterable.status()).as(unfilterable.toString()).isEqualTo(409);
            assertThat(paths(unfilterable.json())).containsExactly("customFields.tier");
            assertThat(http.get("/v1/fields", a.adminKey()).json().get("fields").toString())
                    .contains("tier");

            http.delete("/v1/segments/" + id, a.adminKey());
            assertThat(http.delete("/v1/fields/tier", a.adminKey()).status()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void thePolicyAsYamlIsYamlAfterAFieldWasAddedAndForJsonVersions(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), "# our policy\n" + TestPolicies.DATA_CORE);
            http.post("/v1/fields", a.adminKey(), TIER);
            http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.WIDTH);

            var yaml = http.get("/v1/policy?format=yaml", a.adminKey());

            assertThat(yaml.contentType()).startsWith("application/yaml");
            assertThat(yaml.body()).startsWith("# our policy\n").contains("tier:", "shoe_width:");
            assertThat(dev.lethe.registry.PolicyReader.read(yaml.body())
                            .policy()
                            .customFields())
                    .containsOnlyKeys("tier", "shoe_width");

            var json = http.get("/v1/policy", a.adminKey()).json().get("policy").toString();
            http.put("/v1/policy", a.adminKey(), json, "application/json");
            var fromJson = http.get("/v1/policy?format=yaml", a.adminKey());
            assertThat(fromJson.contentType()).startsWith("application/yaml");
            assertThat(fromJson.body()).doesNotStartWith("{").contains("customFields:");
            assertThat(dev.lethe.registry.PolicyReader.read(fromJson.body())
                            .policy()
                            .customFields())
                    .containsOnlyKeys("tier", "shoe_width");
        }
    }
}
