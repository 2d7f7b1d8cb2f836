package dev.lethe.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Promise 6: nothing done with one account's credentials reads or changes another account's data. */
class TenantIsolationTest {

    static final String ZEBULON_POLICY = TestPolicies.SMALL;

    static final String YOLANDA_POLICY = ZEBULON_POLICY
            .replace("Zebulon Shop BV", "Yolanda Games Oy")
            .replace("privacy@zebulon.example", "privacy@yolanda.example");

    /** An operator's request to let an account keep e-mail addresses for ten years. */
    static final String EXTENSION =
            "{\"target\":\"categories.email_address\",\"maxPeriod\":\"P10Y\",\"reason\":\"because\"}";

    /** An operator's notice that an account's contract ended. */
    static final String CONTRACT_ENDED = "{\"endedAt\":\"2026-01-01T00:00:00Z\"}";

    /** Two accounts: Zebulon with three policy versions and a read key, Yolanda with one version. */
    record TwoTenants(TestLethe lethe, TestLethe.Tenant zebulon, TestLethe.Tenant yolanda, String zebulonReadKeyId) {
        Http http() {
            return lethe.http();
        }
    }

    static TwoTenants twoTenants(TestLethe lethe) {
        var zebulon = lethe.createAccount("Zebulon");
        var yolanda = lethe.createAccount("Yolanda");
        for (String period : List.of("P3Y", "P2Y", "P1Y")) {
            var r = lethe.http().putYaml("/v1/policy", zebulon.adminKey(), ZEBULON_POLICY.replace("P3Y", period));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
        assertThat(lethe.http()
                        .putYaml("/v1/policy", yolanda.adminKey(), YOLANDA_POLICY)
                        .status())
                .isEqualTo(201);
        var key = lethe.createKey(zebulon.adminKey(), "read");
        return new TwoTenants(lethe, zebulon, yolanda, key.keyId());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAdminReadsOnlyItsOwnAccountsPolicyVersionsAndDiffs(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var t = twoTenants(lethe);
            String yolanda = t.yolanda().adminKey();

            var inForce = t.http().get("/v1/policy", yolanda);
            var versions = t.http().get("/v1/policy/versions", yolanda);
            var onlyZebulonHas = t.http().get("/v1/policy/versions/3", yolanda);
            var onlyZebulonHasAsYaml = t.http().get("/v1/policy/versions/2?format=yaml", yolanda);
            var diff = t.http().get("/v1/policy/diff?from=1&to=3", yolanda);
            var ownFirst = t.http().get("/v1/policy/versions/1?format=yaml", yolanda);

            assertThat(inForce.json().at("/policy/controller/name").asText()).isEqualTo("Yolanda Games Oy");
            assertThat(versions.json().get("versions"))
                    .extracting(v -> v.get("version").asInt())
                    .containsExactly(1);
            assertThat(onlyZebulonHas.status()).isEqualTo(404);
            assertThat(onlyZebulonHasAsYaml.status()).isEqualTo(404);
            assertThat(diff.status()).isEqualTo(404);
            assertThat(ownFirst.body()).isEqualTo(YOLANDA_POLICY);
            for (var r : List.of(inForce, versions, onlyZebulonHas, onlyZebulonHasAsYaml, diff, ownFirst)) {
                assertThat(r.body())
                        .doesNotContain("Zebulon", "zebulon", t.zebulon().id());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPolicyChangeByOneAccountLeavesTheOthersPolicyAsItWas(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var t = twoTenants(lethe);
            String zebulonBefore = t.http()
                    .get("/v1/policy?format=yaml", t.zebulon().adminKey())
                    .body();

            var put = t.http().putYaml("/v1/policy", t.yolanda().adminKey(), YOLANDA_POLICY.replace("P3Y", "P6M"));

            assertThat(put.status()).isEqualTo(201);
            assertThat(put.json().get("version").asInt()).isEqualTo(2);
            assertThat(t.http()
                            .get("/v1/policy?format=yaml", t.zebulon().adminKey())
                            .body())
                    .isEqualTo(zebulonBefore);
            var zebulon = t.http().get("/v1/policy", t.zebulon().adminKey()).json();
            assertThat(zebulon.get("version").asInt()).isEqualTo(3);
            assertThat(zebulon.at("/policy/categories/email_address/retention/period")
                            .asText())
                    .isEqualTo("P1Y");
            assertThat(lethe.policyVersions(t.zebulon().adminKey())).hasSize(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAccountsAuditLogShowsNothingDoneInAnotherAccount(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var t = twoTenants(lethe);
            var zebulonKeyIds = keyIds(lethe, t.zebulon().adminKey());
            assertThat(zebulonKeyIds).hasSize(2);

            var yolandaLog = t.http()
                    .get("/v1/audit?limit=1000", t.yolanda().adminKey())
                    .json()
                    .get("entries");
            var byTarget = t.http()
                    .get(
                            "/v1/audit?target=account:" + t.zebulon().id(),
                            t.yolanda().adminKey())
                    .json()
                    .get("entries");
            var byActor = t.http()
                    .get("/v1/audit?actor=" + zebulonKeyIds.get(0), t.yolanda().adminKey())
                    .json()
                    .get("entries");

            // account.create and one policy.change: Yolanda's own history, and no more.
            assertThat(yolandaLog)
                    .extracting(e -> e.get("action").asText())
                    .containsExactly("account.create", "policy.change");
            assertThat(yolandaLog.toString())
                    .doesNotContain(t.zebulon().id())
                    .doesNotContain(zebulonKeyIds.toArray(String[]::new));
            assertThat(yolandaLog)
                    .allSatisfy(e -> assertThat(e.get("actor").asText())
                            .isIn(
                                    "bootstrap",
                                    keyIds(lethe, t.yolanda().adminKey()).get(0)));
            assertThat(byTarget).isEmpty();
            assertThat(byActor).isEmpty();
            assertThat(lethe.verifyAudit(t.yolanda().adminKey()).get("entries").asLong())
                    .isEqualTo(2);
            // while Zebulon's own log has its five entries
            assertThat(t.http().get("/v1/audit", t.zebulon().adminKey()).json().get("entries"))
                    .hasSize(5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAdminCannotSeeOrRevokeAnotherAccountsKeys(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var t = twoTenants(lethe);
            String zebulonReadKeyId = t.zebulonReadKeyId();

            var revoke =
                    t.http().delete("/v1/keys/" + zebulonReadKeyId, t.yolanda().adminKey());
            var revokeAdmin = t.http()
                    .delete(
                            "/v1/keys/" + TestLethe.keyIdOf(t.zebulon().adminKey()),
                            t.yolanda().adminKey());
            var revokeOperator = t.http()
                    .delete(
                            "/v1/keys/" + AccountService.BOOTSTRAP_KEY_ID,
                            t.yolanda().adminKey());

            assertThat(revoke.status()).isEqualTo(404);
            assertThat(revokeAdmin.status()).isEqualTo(404);
            assertThat(revokeOperator.status()).isEqualTo(404);
            assertThat(keyIds(lethe, t.yolanda().adminKey()))
                    .doesNotContain(zebulonReadKeyId)
                    .hasSize(1);
            assertThat(lethe.keys(t.zebulon().adminKey()))
                    .hasSize(2)
                    .allSatisfy(k -> assertThat(k.get("revokedAt").isNull()).isTrue());
            assertThat(t.http()
                            .get("/v1/account", t.zebulon().adminKey())
                            .json()
                            .get("id")
                            .asText())
                    .isEqualTo(t.zebulon().id());
            assertThat(t.http().get("/v1/accounts", TestLethe.OPERATOR_KEY).status())
                    .isEqualTo(200);
            assertThat(t.http()
                            .get("/v1/audit?action=key.revoke", t.zebulon().adminKey())
                            .json()
                            .get("entries"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theOperatorKeyNeitherReadsNorRevokesInsideAnAccount(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var t = twoTenants(lethe);

            assertThat(t.http().get("/v1/policy", TestLethe.OPERATOR_KEY).status())
                    .isEqualTo(403);
            assertThat(t.http()
                            .get("/v1/policy/versions/3", TestLethe.OPERATOR_KEY)
                            .status())
                    .isEqualTo(403);
            // PUT /v1/policy is an account's route; the operator's default goes to /v1/platform/policy.
            assertThat(t.http()
                            .putYaml("/v1/policy", TestLethe.OPERATOR_KEY, ZEBULON_POLICY)
                            .status())
                    .isEqualTo(403);
            assertThat(t.http()
                            .delete("/v1/keys/" + t.zebulonReadKeyId(), TestLethe.OPERATOR_KEY)
                            .status())
                    .isEqualTo(404);
            assertThat(lethe.keys(t.zebulon().adminKey()))
                    .allSatisfy(k -> assertThat(k.get("revokedAt").isNull()).isTrue());
            assertThat(lethe.policyVersions(t.zebulon().adminKey())).hasSize(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void operatorOnlyRoutesRefuseAnAccountsAdminKeyAndChangeNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var t = twoTenants(lethe);
            String admin = t.yolanda().adminKey();
            String zebulon = "/v1/accounts/" + t.zebulon().id();
            String own = "/v1/accounts/" + t.yolanda().id();

            var refused = new ArrayList<Http.Response>();
            refused.add(t.http().post("/v1/accounts", admin, "{\"name\":\"Mallory Ltd\"}"));
            refused.add(t.http().get("/v1/accounts", admin));
            refused.add(t.http().post(zebulon + "/contract", admin, CONTRACT_ENDED));
            refused.add(t.http().post(own + "/contract", admin, CONTRACT_ENDED));
            refused.add(t.http().post(zebulon + "/retention-extensions", admin, EXTENSION));
            refused.add(t.http().post(own + "/retention-extensions", admin, EXTENSION));
            refused.add(t.http().get(own + "/retention-extensions", admin));
            refused.add(t.http().putYaml("/v1/platform/policy", admin, YOLANDA_POLICY));
            refused.add(t.http().get("/v1/platform/policy", admin));

            assertProblems(refused, 403);
            var accounts =
                    t.http().get("/v1/accounts", TestLethe.OPERATOR_KEY).json().get("accounts");
            assertThat(accounts).extracting(a -> a.get("name").asText()).containsExactly("Zebulon", "Yolanda");
            assertThat(accounts)
                    .allSatisfy(
                            a -> assertThat(a.get("contractEndedAt").isNull()).isTrue());
            assertThat(t.http()
                            .get(own + "/retention-extensions", TestLethe.OPERATOR_KEY)
                            .json()
                            .get("extensions"))
                    .isEmpty();
            assertThat(t.http()
                            .get("/v1/platform/policy", TestLethe.OPERATOR_KEY)
                            .status())
                    .isEqualTo(404);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void thePlatformIsNotAnAccountTheOperatorManagesThroughAccountRoutes(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            String operator = TestLethe.OPERATOR_KEY;

            var contract = lethe.http().post("/v1/accounts/platform/contract", operator, CONTRACT_ENDED);
            var approve = lethe.http().post("/v1/accounts/platform/retention-extensions", operator, EXTENSION);
            var list = lethe.http().get("/v1/accounts/platform/retention-extensions", operator);

            assertProblems(List.of(contract, approve, list), 404);
            assertThat(lethe.http().get("/v1/accounts", operator).json().get("accounts"))
                    .isEmpty();
            assertThat(lethe.http()
                            .get("/v1/audit?action=retention.extension.approve", operator)
                            .json()
                            .get("entries"))
                    .isEmpty();
            assertThat(lethe.http()
                            .get("/v1/audit?action=account.contract", operator)
                            .json()
                            .get("entries"))
                    .isEmpty();
        }
    }

    /** Each response is a problem (application/problem+json) with this status. */
    static void assertProblems(List<Http.Response> responses, int status) {
        assertThat(responses).allSatisfy(r -> {
            assertThat(r.status()).as(r.toString()).isEqualTo(status);
            assertThat(r.contentType()).startsWith("application/problem+json");
        });
    }

    static List<String> keyIds(TestLethe lethe, String adminKey) {
        var out = new ArrayList<String>();
        lethe.keys(adminKey).forEach(k -> out.add(k.get("keyId").asText()));
        return out;
    }
}
