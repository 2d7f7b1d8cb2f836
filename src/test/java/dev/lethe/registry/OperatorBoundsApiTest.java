package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator's default policy applies to accounts without one of their own and bounds every
 * account's retention: an account may shorten freely, but keeps longer only with an approved
 * extension.
 */
class OperatorBoundsApiTest {

    static final String PLATFORM_DEFAULT = TestPolicies.PLATFORM_DEFAULT;

    /** Zebulon's own policy: the default's rules, word for word, under its own name. */
    static final String ZEBULON = PLATFORM_DEFAULT
            .replace("Example Platform Ltd", "Zebulon Shop BV")
            .replace("privacy@platform.example", "privacy@zebulon.example");

    static final String EMAIL_FIVE_YEARS = ZEBULON.replace("period: P3Y", "period: P5Y");

    /** Where the policy in force holds the e-mail address's retention period. */
    static final String EMAIL_PERIOD = "/policy/categories/email_address/retention/period";

    static TestLethe withDefault(TestDatabase engine) {
        var lethe = new TestLethe(engine);
        var r = lethe.http().putYaml("/v1/platform/policy", TestLethe.OPERATOR_KEY, PLATFORM_DEFAULT);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("platformDefault").asBoolean()).isTrue();
        return lethe;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAccountWithoutAPolicyOfItsOwnIsGovernedByThePlatformDefault(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");

            var inForce = lethe.http().get("/v1/policy", zebulon.adminKey());

            assertThat(inForce.status()).isEqualTo(200);
            assertThat(inForce.json().get("platformDefault").asBoolean()).isTrue();
            assertThat(inForce.json().at("/policy/controller/name").asText()).isEqualTo("Example Platform Ltd");
            assertThat(inForce.json().at(EMAIL_PERIOD).asText()).isEqualTo("P3Y");
            assertThat(lethe.http()
                            .get("/v1/policy?format=yaml", zebulon.adminKey())
                            .body())
                    .isEqualTo(PLATFORM_DEFAULT);
            assertThat(lethe.policyVersions(zebulon.adminKey())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAccountMayShortenAnyRetention(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            String shorter = ZEBULON.replace("period: P3Y", "period: P2Y")
                    .replace("period: P120D", "period: P90D")
                    .replace("inactive P18M", "inactive P12M");

            var r = submit(lethe, zebulon, shorter);

            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            var inForce = inForce(lethe, zebulon);
            assertThat(inForce.get("platformDefault").asBoolean()).isFalse();
            assertThat(inForce.at(EMAIL_PERIOD).asText()).isEqualTo("P2Y");
            assertThat(submit(lethe, zebulon, ZEBULON).status())
                    .as("exactly the default's rules are within bounds")
                    .isEqualTo(201);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aLongerPeriodIsRefusedNamingItsPathAndChangesNothing(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            assertThat(submit(lethe, zebulon, ZEBULON).status()).isEqualTo(201);

            var r = submit(lethe, zebulon, EMAIL_FIVE_YEARS);

            assertOutOfBounds(r, "categories.email_address.retention.period");
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().at("/errors/0/message").asText()).contains("P5Y", "P3Y");
            assertThat(lethe.policyVersions(zebulon.adminKey())).hasSize(1);
            assertThat(inForce(lethe, zebulon).at(EMAIL_PERIOD).asText()).isEqualTo("P3Y");
            var denied = lethe.http()
                    .get("/v1/audit?action=policy.change", zebulon.adminKey())
                    .json()
                    .get("entries");
            assertThat(denied).extracting(e -> e.get("outcome").asText()).containsExactly("ok", "denied");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aLongerInactivityWindowOrADroppedInactivityTriggerIsRefused(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");

            var longerWindow = submit(lethe, zebulon, ZEBULON.replace("inactive P18M", "inactive P24M"));
            var dropped =
                    submit(lethe, zebulon, ZEBULON.replace("[contract_ended, inactive P18M]", "[contract_ended]"));
            var droppedContract =
                    submit(lethe, zebulon, ZEBULON.replace("[contract_ended, inactive P18M]", "[inactive P18M]"));

            for (var r : new Http.Response[] {longerWindow, dropped, droppedContract}) {
                assertOutOfBounds(r, "records.profile.retention.after");
            }
            assertThat(dropped.json().at("/errors/0/message").asText()).contains("inactive P18M");
            assertThat(droppedContract.json().at("/errors/0/message").asText()).contains("contract_ended");
            assertThat(lethe.policyVersions(zebulon.adminKey())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCategoryClockMovedToALaterTriggerIsRefused(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");

            var r = submit(
                    lethe,
                    zebulon,
                    ZEBULON.replace("period: P3Y, after: collected", "period: P3Y, after: contract_ended"));

            assertOutOfBounds(r, "categories.email_address.retention.after");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aProfileKeptForAShorterTimeAfterCollectionIsWithinBounds(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");

            // Collection comes before any inactivity and (for the account's data) before its contract ends.
            var r = submit(
                    lethe, zebulon, ZEBULON.replace("after: [contract_ended, inactive P18M]", "after: collected"));

            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aLongerRetentionForOneSubjectTypeIsRefusedToo(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            String overridden = ZEBULON.replace(
                    "    retention: { period: P3Y, after: collected }\n",
                    "    retention: { period: P1Y, after: collected }\n    bySubject:\n      visitor: { retention: { period: P10Y, after: collected } }\n");
            assertThat(overridden).contains("P10Y");

            var r = submit(lethe, zebulon, overridden);

            assertOutOfBounds(r, "categories.email_address.bySubject.visitor.retention.period");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyViolationIsListedAtOnce(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            String threeTooLong =
                    EMAIL_FIVE_YEARS.replace("period: P120D", "period: P1Y").replace("inactive P18M", "inactive P24M");

            var r = submit(lethe, zebulon, threeTooLong);

            assertOutOfBounds(
                    r,
                    "categories.email_address.retention.period",
                    "categories.ip_address.retention.period",
                    "records.profile.retention.after");
            assertThat(inForce(lethe, zebulon).get("platformDefault").asBoolean())
                    .isTrue();
            assertThat(lethe.policyVersions(zebulon.adminKey())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anExtensionTheOperatorApprovesLetsThatAccountAndNoOtherKeepLonger(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            var yolanda = lethe.createAccount("Yolanda");
            assertThat(submit(lethe, zebulon, EMAIL_FIVE_YEARS).status()).isEqualTo(403);

            var approval = lethe.http()
                    .post(
                            "/v1/accounts/" + zebulon.id() + "/retention-extensions",
                            TestLethe.OPERATOR_KEY,
                            "{\"target\":\"categories.email_address\",\"maxPeriod\":\"P5Y\",\"reason\":\"statutory bookkeeping for resellers\"}");
            assertThat(approval.status()).as(approval.toString()).isEqualTo(201);

            var zebulonPut = submit(lethe, zebulon, EMAIL_FIVE_YEARS);
            var zebulonBeyondExtension = submit(lethe, zebulon, ZEBULON.replace("period: P3Y", "period: P6Y"));
            var zebulonOtherCategory = submit(lethe, zebulon, EMAIL_FIVE_YEARS.replace("period: P120D", "period: P1Y"));
            var yolandaPut = submit(lethe, yolanda, EMAIL_FIVE_YEARS.replace("Zebulon Shop BV", "Yolanda Games Oy"));

            assertThat(zebulonPut.status()).as(zebulonPut.toString()).isEqualTo(201);
            assertThat(inForce(lethe, zebulon).at(EMAIL_PERIOD).asText()).isEqualTo("P5Y");
            assertOutOfBounds(zebulonBeyondExtension, "categories.email_address.retention.period");
            assertOutOfBounds(zebulonOtherCategory, "categories.ip_address.retention.period");
            assertOutOfBounds(yolandaPut, "categories.email_address.retention.period");
            assertThat(lethe.policyVersions(yolanda.adminKey())).isEmpty();
            var listed = lethe.http()
                    .get("/v1/accounts/" + zebulon.id() + "/retention-extensions", TestLethe.OPERATOR_KEY)
                    .json()
                    .get("extensions");
            assertThat(listed).singleElement().satisfies(e -> {
                assertThat(e.get("target").asText()).isEqualTo("categories.email_address");
                assertThat(e.get("maxPeriod").asText()).isEqualTo("P5Y");
                assertThat(e.get("approvedBy").asText()).isEqualTo("bootstrap");
            });
            assertThat(lethe.http()
                            .get("/v1/accounts/" + yolanda.id() + "/retention-extensions", TestLethe.OPERATOR_KEY)
                            .json()
                            .get("extensions"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anExtensionRequestThatIsNotValidIsRefusedNamingEveryField(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");

            var r = lethe.http()
                    .post(
                            "/v1/accounts/" + zebulon.id() + "/retention-extensions",
                            TestLethe.OPERATOR_KEY,
                            "{\"target\":\"email_address\",\"maxPeriod\":\"five years\",\"reason\":\" \"}");
            var unknownAccount = lethe.http()
                    .post(
                            "/v1/accounts/acc_nosuchaccount00/retention-extensions",
                            TestLethe.OPERATOR_KEY,
                            "{\"target\":\"categories.email_address\",\"maxPeriod\":\"P5Y\",\"reason\":\"why not\"}");

            assertThat(r.status()).isEqualTo(422);
            assertThat(PolicyRegistryApiTest.paths(r.json()))
                    .containsExactlyInAnyOrder("target", "maxPeriod", "reason");
            assertThat(unknownAccount.status()).isEqualTo(404);
            assertThat(submit(lethe, zebulon, EMAIL_FIVE_YEARS).status()).isEqualTo(403);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void validatingReportsRetentionBeyondTheBoundsWithoutSavingAnything(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            long auditBefore =
                    lethe.verifyAudit(zebulon.adminKey()).get("entries").asLong();

            var beyond = lethe.http().post("/v1/policy/validate", zebulon.adminKey(), toJson(EMAIL_FIVE_YEARS));
            var within = lethe.http().post("/v1/policy/validate", zebulon.adminKey(), toJson(ZEBULON));

            assertThat(beyond.status()).as(beyond.toString()).isEqualTo(200);
            assertThat(beyond.json().get("valid").asBoolean()).isTrue();
            assertThat(beyond.json().get("beyondOperatorBounds"))
                    .extracting(e -> e.get("path").asText())
                    .containsExactly("categories.email_address.retention.period");
            assertThat(within.status()).as(within.toString()).isEqualTo(200);
            assertThat(within.json().get("beyondOperatorBounds")).isEmpty();
            assertThat(lethe.policyVersions(zebulon.adminKey())).isEmpty();
            assertThat(inForce(lethe, zebulon).get("platformDefault").asBoolean())
                    .isTrue();
            assertThat(lethe.verifyAudit(zebulon.adminKey()).get("entries").asLong())
                    .isEqualTo(auditBefore);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theOperatorMayChangeTheDefaultWithoutBeingBoundByIt(TestDatabase engine) {
        try (var lethe = withDefault(engine)) {
            var zebulon = lethe.createAccount("Zebulon");

            var r = lethe.http()
                    .putYaml(
                            "/v1/platform/policy",
                            TestLethe.OPERATOR_KEY,
                            PLATFORM_DEFAULT.replace("period: P3Y", "period: P5Y"));

            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            assertThat(r.json().get("version").asInt()).isEqualTo(2);
            assertThat(submit(lethe, zebulon, EMAIL_FIVE_YEARS).status()).isEqualTo(201);
            var audit = lethe.http()
                    .get("/v1/audit?action=policy.default.change", TestLethe.OPERATOR_KEY)
                    .json()
                    .get("entries");
            assertThat(audit).extracting(e -> e.at("/targets/0").asText()).containsExactly("policy:1", "policy:2");
        }
    }

    /** Submits a policy of the account's own (PUT /v1/policy). */
    static Http.Response submit(TestLethe lethe, TestLethe.Tenant account, String policy) {
        return lethe.http().putYaml("/v1/policy", account.adminKey(), policy);
    }

    /** The policy in force for the account, and whether it is the platform default (GET /v1/policy). */
    static JsonNode inForce(TestLethe lethe, TestLethe.Tenant account) {
        return lethe.http().get("/v1/policy", account.adminKey()).json();
    }

    /** Refused with 403 as beyond the operator's bounds, naming exactly these paths. */
    static void assertOutOfBounds(Http.Response r, String... paths) {
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(PolicyRegistryApiTest.paths(r.json())).containsExactlyInAnyOrder(paths);
    }

    /** The same policy as JSON (the test client posts JSON). */
    static String toJson(String yaml) {
        try {
            var tree = new com.fasterxml.jackson.databind.ObjectMapper(
                            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(yaml);
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(tree);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
