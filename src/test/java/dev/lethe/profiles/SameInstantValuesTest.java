package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two values of one field collected at the same instant (an import, or a client that sends one
 * ts twice): the one written last is the profile's value everywhere — in the profile view, in a
 * list column and in the field filter — and still after a merge.
 */
class SameInstantValuesTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void ofTwoValuesWithOneTimestampTheLastWrittenIsShownListedAndFilteredAlike(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            assertThat(http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.TIER)
                            .status())
                    .isEqualTo(201);
            String ts = "2026-01-10T08:00:00Z";
            // Enough profiles that a random tie-breaker would disagree with the write order somewhere.
            for (int i = 0; i < 12; i++) {
                String email = "zebulon" + i + "@example.org";
                String profile = identify(http, a.adminKey(), email, "gold", ts);
                identify(http, a.adminKey(), email, "silver", ts);

                assertThat(http.get("/v1/profiles/" + profile, a.adminKey())
                                .json()
                                .at("/traits/tier")
                                .asText())
                        .isEqualTo("silver");
                assertThat(http.get("/v1/profiles?email=" + email + "&columns=id,field.tier", a.adminKey())
                                .json()
                                .at("/profiles/0/field.tier")
                                .asText())
                        .isEqualTo("silver");
            }
            assertThat(http.get("/v1/profiles?field.tier=silver&limit=100", a.adminKey())
                            .json()
                            .get("profiles"))
                    .hasSize(12);
            assertThat(http.get("/v1/profiles?field.tier=gold&limit=100", a.adminKey())
                            .json()
                            .get("profiles"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMergeKeepsTheValueWrittenLastWhenBothProfilesHadOneFromTheSameInstant(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            assertThat(http.post("/v1/fields", a.adminKey(), ProfileFilterApiTest.TIER)
                            .status())
                    .isEqualTo(201);
            String ts = "2026-01-10T08:00:00Z";
            for (int i = 0; i < 6; i++) {
                // the merged profile's value was written last in even rounds, the survivor's in odd ones
                String survivor;
                String other;
                String last;
                if (i % 2 == 0) {
                    survivor = identify(http, a.adminKey(), "survivor" + i + "@example.org", "gold", ts);
                    other = identify(http, a.adminKey(), "other" + i + "@example.org", "silver", ts);
                    last = "silver";
                } else {
                    other = identify(http, a.adminKey(), "other" + i + "@example.org", "silver", ts);
                    survivor = identify(http, a.adminKey(), "survivor" + i + "@example.org", "gold", ts);
                    last = "gold";
                }

                var merged =
                        http.post("/v1/profiles/" + survivor + "/merge", a.adminKey(), "{\"from\": \"" + other + "\"}");

                assertThat(merged.status()).as(merged.toString()).isEqualTo(200);
                assertThat(http.get("/v1/profiles/" + survivor, a.adminKey())
                                .json()
                                .at("/traits/tier")
                                .asText())
                        .isEqualTo(last);
                assertThat(http.get(
                                        "/v1/profiles?field.tier=" + last + "&email=survivor" + i + "@example.org",
                                        a.adminKey())
                                .json()
                                .get("profiles"))
                        .hasSize(1);
            }
        }
    }

    private static String identify(Http http, String key, String email, String tier, String ts) {
        var r = http.post("/v1/identify", key, """
                {"identifiers": {"email": "%s"}, "traits": {"tier": "%s"}, "ts": "%s"}
                """.formatted(email, tier, ts));
        if (r.status() != 200 && r.status() != 201) throw new AssertionError(r.toString());
        return r.json().get("profileId").asText();
    }
}
