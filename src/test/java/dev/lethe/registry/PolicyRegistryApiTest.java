package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyRegistryApiTest {

    static final String SMALL_POLICY = TestPolicies.SMALL;

    /** Five different mistakes, each at its own path. */
    static final String FIVE_MISTAKES = SMALL_POLICY
            .replace("period: P3Y", "period: three years") // bad duration
            .replace("lawfulBasis: legitimate_interests", "lawfulBasis: because") // unknown lawful basis
            .replace("retention: { period: P1Y }", "retention: { period: P1Y, after: forever }") // unknown trigger
            .replace("    safeguards: [SCC]\n", "") // transfer outside the EEA without safeguard
            .replace("source: user_form", "source: user_form\n    colour: blue"); // unknown key

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPolicyWithFiveMistakesGetsOne422ListingAllFivePathsAndChangesNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            assertThat(lethe.http()
                            .putYaml("/v1/policy", a.adminKey(), SMALL_POLICY)
                            .status())
                    .isEqualTo(201);
            long auditBefore = lethe.verifyAudit(a.adminKey()).get("entries").asLong();

            var r = lethe.http().putYaml("/v1/policy", a.adminKey(), FIVE_MISTAKES);

            assertThat(r.status()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(paths(r.json()))
                    .containsExactlyInAnyOrder(
                            "categories.email_address.colour",
                            "categories.email_address.retention.period",
                            "categories.ip_address.lawfulBasis",
                            "records.session_summary.retention.after",
                            "processors[0].safeguards");
            var versions = lethe.policyVersions(a.adminKey());
            assertThat(versions).hasSize(1);
            assertThat(lethe.http()
                            .get("/v1/policy", a.adminKey())
                            .json()
                            .get("version")
                            .asInt())
                    .isEqualTo(1);
            assertThat(lethe.verifyAudit(a.adminKey()).get("entries").asLong()).isEqualTo(auditBefore);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eachAcceptedPolicyIsANewVersionWithItsAuthorAndTheDiffNamesWhatChanged(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            lethe.http().putYaml("/v1/policy", a.adminKey(), SMALL_POLICY);
            var second = SMALL_POLICY
                    .replace("period: P120D", "period: P90D")
                    .replace(
                            "  session_summary:",
                            "  chat_content: { kind: message, match: { product: conversations }, retention: { period: P6M, after: conversation_started } }\n  session_summary:");
            var r = lethe.http().putYaml("/v1/policy", a.adminKey(), second);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.json().get("version").asInt()).isEqualTo(2);

            var versions = lethe.policyVersions(a.adminKey());
            assertThat(versions).extracting(v -> v.get("version").asInt()).containsExactly(2, 1);
            assertThat(versions.get(0).get("author").asText()).isEqualTo(TestLethe.keyIdOf(a.adminKey()));

            var diff = lethe.http()
                    .get("/v1/policy/diff?from=1&to=2", a.adminKey())
                    .json()
                    .get("diff");
            assertThat(diff.at("/sections/records/added").toString()).contains("chat_content");
            assertThat(diff.at("/sections/categories/changed/0/name").asText()).isEqualTo("ip_address");
            assertThat(diff.at("/periods").toString())
                    .contains("categories.ip_address.retention.period", "P120D", "P90D", "shorter")
                    .contains("records.chat_content.retention.period", "added");

            var yaml = lethe.http().get("/v1/policy/versions/1?format=yaml", a.adminKey());
            assertThat(yaml.body()).isEqualTo(SMALL_POLICY);
            var inForce = lethe.http().get("/v1/policy", a.adminKey()).json();
            assertThat(inForce.at("/policy/categories/ip_address/retention/period")
                            .asText())
                    .isEqualTo("P90D");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyExamplePolicyIsAccepted(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine);
                var files = Files.list(Path.of("examples"))) {
            var a = lethe.createAccount("Examples");
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                var r = lethe.http().putYaml("/v1/policy", a.adminKey(), Files.readString(file));
                assertThat(r.status()).as(file + ": " + r.body()).isEqualTo(201);
            }
        }
    }

    static List<String> paths(JsonNode problem) {
        var out = new ArrayList<String>();
        problem.get("errors").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }
}
