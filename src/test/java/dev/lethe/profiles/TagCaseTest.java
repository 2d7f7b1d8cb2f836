package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tags match regardless of case, on the profile as in the tag filter (issue 13, what a new user met). */
class TagCaseTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aTagAddedAndRemovedInAnotherCaseIsOneTagAndGoesEverywhere(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml(
                    "/v1/policy",
                    a.adminKey(),
                    TestPolicies.DATA_CORE.replace(
                            "  traits.lastIp: ip_address\n",
                            "  traits.lastIp: ip_address\n  traits.tags: visit_history\n"));
            String profile = ConcurrentProfileWritesTest.identify(http, a.adminKey(), "zebulon@example.org", null);
            String tags = "/v1/profiles/" + profile + "/tags";

            http.post(tags, a.adminKey(), "{\"add\": [\"Foo\"]}");
            var again = http.post(tags, a.adminKey(), "{\"add\": [\"FOO\", \"bar\"]}");

            assertThat(again.json().get("tags")).extracting(n -> n.asText()).containsExactly("Foo", "bar");
            assertThat(http.get("/v1/profiles?tag=foo", a.adminKey()).json().get("profiles"))
                    .hasSize(1);

            var removed = http.post(tags, a.adminKey(), "{\"remove\": [\"foo\"]}");

            assertThat(removed.json().get("tags")).extracting(n -> n.asText()).containsExactly("bar");
            assertThat(http.get("/v1/profiles/" + profile, a.adminKey()).json().get("tags"))
                    .extracting(n -> n.asText())
                    .containsExactly("bar");
            assertThat(http.get("/v1/profiles?tag=Foo", a.adminKey()).json().get("profiles"))
                    .isEmpty();
        }
    }
}
