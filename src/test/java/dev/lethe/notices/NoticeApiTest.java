package dev.lethe.notices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NoticeApiTest {

    static final String POLICY_A = TestPolicies.SMALL;
    static final String POLICY_B =
            POLICY_A.replace("Zebulon Shop BV", "Quentin Bakery Ltd").replace("P120D", "P30D");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eachNoticeComesInMarkdownHtmlAndJsonFromThePolicyInForce(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            var http = lethe.http();
            assertThat(http.get("/v1/notices/retention", a.adminKey()).status()).isEqualTo(404);
            http.putYaml("/v1/policy", a.adminKey(), POLICY_A);

            var md = http.get("/v1/notices/retention?format=md", a.adminKey());
            var html = http.get("/v1/notices/subprocessors", a.adminKey(), "text/html");
            var json = http.get("/v1/notices/categories?format=json", a.adminKey());
            var cookies = http.get("/v1/notices/cookies", a.adminKey());

            assertThat(md.status()).isEqualTo(200);
            assertThat(md.contentType()).startsWith("text/markdown");
            assertThat(md.body()).contains("Zebulon Shop BV", "120 days", "ip address", "| ");
            assertThat(html.contentType()).startsWith("text/html");
            assertThat(html.body()).contains("Example Hosting Inc.", "SCC", "<table");
            assertThat(json.contentType()).startsWith("application/json");
            assertThat(json.json().get("policyVersion").asInt()).isEqualTo(1);
            assertThat(json.body()).contains("Contractual necessity", "Legitimate interest");
            assertThat(cookies.status()).isEqualTo(200);

            http.putYaml("/v1/policy", a.adminKey(), POLICY_A.replace("P120D", "P90D"));
            assertThat(http.get("/v1/notices/retention?format=md", a.adminKey()).body())
                    .contains("90 days")
                    .doesNotContain("120 days");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anUnknownNoticeOrFormatIsAProblemNamingTheChoices(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY_A);

            var kind = lethe.http().get("/v1/notices/privacy", a.adminKey());
            var format = lethe.http().get("/v1/notices/retention?format=pdf", a.adminKey());

            assertThat(kind.status()).isEqualTo(404);
            assertThat(kind.json().get("title").asText())
                    .contains("retention", "subprocessors", "categories", "cookies");
            assertThat(format.status()).isEqualTo(400);
            assertThat(format.json().at("/errors/0/path").asText()).isEqualTo("format");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAccountPublishesItsNoticesOnlyWhenItOptsIn(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY_A);
            String url = "/public/" + a.id() + "/notices/retention?format=md";

            assertThat(http.get(url, null).status()).isEqualTo(404);
            assertThat(http.put("/v1/notices/publication", a.adminKey(), "{\"public\":true}", "application/json")
                            .status())
                    .isEqualTo(200);
            var published = http.get(url, null);
            assertThat(published.status()).isEqualTo(200);
            assertThat(published.body()).contains("Zebulon Shop BV", "120 days");

            http.put("/v1/notices/publication", a.adminKey(), "{\"public\":false}", "application/json");
            assertThat(http.get(url, null).status()).isEqualTo(404);
            assertThat(http.get("/v1/audit?action=account.notices.publish", a.adminKey())
                            .json()
                            .get("entries"))
                    .hasSize(2);
            assertThat(http.get("/public/platform/notices/retention", null).status())
                    .isEqualTo(404);
            assertThat(http.get("/public/acc_doesnotexist/notices/retention", null)
                            .status())
                    .isEqualTo(404);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anotherAccountsKeyNeverReachesTheseNotices(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            var b = lethe.createAccount("Quentin");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY_A);

            assertThat(http.get("/v1/notices/retention", b.adminKey()).status()).isEqualTo(404);
            http.putYaml("/v1/policy", b.adminKey(), POLICY_B);
            assertThat(http.get("/v1/notices/retention?format=md", b.adminKey()).body())
                    .contains("Quentin Bakery Ltd")
                    .doesNotContain("Zebulon");
            assertThat(http.put("/v1/notices/publication", b.adminKey(), "{\"public\":true}", "application/json")
                            .status())
                    .isEqualTo(200);
            assertThat(http.get("/public/" + a.id() + "/notices/retention", null)
                            .status())
                    .isEqualTo(404);
            assertThat(http.get("/public/" + b.id() + "/notices/retention?format=md", null)
                            .body())
                    .contains("Quentin")
                    .doesNotContain("Zebulon");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void publishingNeedsAnAdminKeyAndATrueOrFalse(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            var read = lethe.createKey(a.adminKey(), "read").key();

            assertThat(lethe.http()
                            .put("/v1/notices/publication", read, "{\"public\":true}", "application/json")
                            .status())
                    .isEqualTo(403);
            var bad = lethe.http()
                    .put("/v1/notices/publication", a.adminKey(), "{\"public\":\"yes\"}", "application/json");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().at("/errors/0/path").asText()).isEqualTo("public");
        }
    }
}
