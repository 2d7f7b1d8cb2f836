package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileListApiTest {

    static final String POLICY =
            TestPolicies.DATA_CORE.replace("  traits.name: name\n", "  traits.name: name\n  traits.tags: name\n");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void profilesAreFoundByExactEmailPhoneAndTagAndListedInOrderPageByPage(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            String zebulon =
                    identify(lethe, a.adminKey(), "zebulon@example.org", "+32 471 23 45 67", "2026-01-10T10:00:00Z");
            String yolanda = identify(lethe, a.adminKey(), "yolanda@example.org", null, "2026-01-12T10:00:00Z");
            String xavier = identify(lethe, a.adminKey(), "xavier@example.org", null, "2026-01-14T10:00:00Z");

            var tagged = http.post(
                    "/v1/profiles/" + zebulon + "/tags", a.adminKey(), "{\"add\": [\"VIP\", \"newsletter\"]}");
            assertThat(tagged.status()).as(tagged.toString()).isEqualTo(200);
            http.post("/v1/profiles/" + xavier + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}");

            assertThat(ids(http.get("/v1/profiles?email=%20Zebulon@Example.org", a.adminKey())
                            .json()))
                    .containsExactly(zebulon);
            assertThat(ids(http.get("/v1/profiles?phone=%2B32471234567", a.adminKey())
                            .json()))
                    .containsExactly(zebulon);
            assertThat(ids(http.get("/v1/profiles?tag=vip", a.adminKey()).json()))
                    .containsExactly(xavier, zebulon);
            assertThat(ids(http.get("/v1/profiles?sort=firstVisit", a.adminKey())
                            .json()))
                    .containsExactly(zebulon, yolanda, xavier);
            assertThat(ids(http.get("/v1/profiles?lastVisitFrom=2026-01-11T00:00:00Z", a.adminKey())
                            .json()))
                    .containsExactly(xavier, yolanda);
            var first = http.get("/v1/profiles?limit=2", a.adminKey()).json();
            assertThat(ids(first)).containsExactly(xavier, yolanda);
            var second = http.get(
                            "/v1/profiles?limit=2&cursor="
                                    + first.get("nextCursor").asText(),
                            a.adminKey())
                    .json();
            assertThat(ids(second)).containsExactly(zebulon);
            assertThat(second.get("nextCursor").isNull()).isTrue();
            var narrow =
                    http.get("/v1/profiles?columns=id,lastSeen", a.adminKey()).json();
            assertThat(narrow.at("/profiles/0").size()).isEqualTo(2);

            var view = http.get("/v1/profiles/" + zebulon, a.adminKey()).json();
            assertThat(view.get("tags").toString()).contains("VIP", "newsletter");
            http.post("/v1/profiles/" + zebulon + "/tags", a.adminKey(), "{\"remove\": [\"VIP\"]}");
            assertThat(ids(http.get("/v1/profiles?tag=vip", a.adminKey()).json()))
                    .containsExactly(xavier);
            assertThat(http.get("/v1/profiles/" + zebulon, a.adminKey())
                            .json()
                            .get("tags")
                            .toString())
                    .doesNotContain("VIP")
                    .contains("newsletter");
            assertThat(lethe.strings("select tag_index from profile_tags where account_id = ?", a.id()))
                    .noneMatch(t -> t.toLowerCase(Locale.ROOT).contains("vip"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void badFiltersAreNamedAndAnotherAccountsTagsAreNotSeen(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            http.putYaml("/v1/policy", b.adminKey(), TestPolicies.DATA_CORE);
            String zebulon = identify(lethe, a.adminKey(), "zebulon@example.org", null, "2026-01-10T10:00:00Z");
            http.post("/v1/profiles/" + zebulon + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}");
            String other = identify(lethe, b.adminKey(), "quux@example.org", null, "2026-01-10T10:00:00Z");

            assertThat(http.get("/v1/profiles?sort=shoeSize", a.adminKey()).status())
                    .isEqualTo(400);
            assertThat(http.get("/v1/profiles?email=not-an-email", a.adminKey())
                            .json()
                            .at("/errors/0/path")
                            .asText())
                    .isEqualTo("email");
            assertThat(http.get("/v1/profiles?columns=id,email", a.adminKey()).status())
                    .isEqualTo(400);
            assertThat(ids(http.get("/v1/profiles?tag=vip", b.adminKey()).json()))
                    .isEmpty();
            var c = lethe.createAccount("Kiwi");
            http.putYaml("/v1/policy", c.adminKey(), POLICY);
            assertThat(http.post("/v1/profiles/" + zebulon + "/tags", c.adminKey(), "{\"add\": [\"x\"]}")
                            .status())
                    .isEqualTo(404);
            var untaggable = http.post("/v1/profiles/" + other + "/tags", b.adminKey(), "{\"add\": [\"vip\"]}");
            assertThat(untaggable.status()).isEqualTo(422);
            assertThat(untaggable.json().at("/errors/0/message").asText()).contains("traits.tags");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSavedSegmentListsItsProfilesAndCannotNameAPerson(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            String zebulon = identify(lethe, a.adminKey(), "zebulon@example.org", null, "2026-01-14T10:00:00Z");
            String yolanda = identify(lethe, a.adminKey(), "yolanda@example.org", null, "2025-10-01T10:00:00Z");
            http.post("/v1/profiles/" + zebulon + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}");
            http.post("/v1/profiles/" + yolanda + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}");

            var saved = http.post("/v1/segments", a.adminKey(), """
                    {"name": "Recent VIPs", "filter": {"tag": "VIP", "lastVisitWithin": "P30D"}}
                    """);
            var naming = http.post("/v1/segments", a.adminKey(), """
                    {"name": "Zebulon", "filter": {"email": "zebulon@example.org"}}
                    """);

            assertThat(saved.status()).as(saved.toString()).isEqualTo(201);
            assertThat(ids(http.get("/v1/profiles?segment=Recent%20VIPs", a.adminKey())
                            .json()))
                    .containsExactly(zebulon);
            assertThat(ids(http.get("/v1/profiles?tag=vip", a.adminKey()).json()))
                    .containsExactlyInAnyOrder(zebulon, yolanda);
            assertThat(naming.status()).isEqualTo(422);
            assertThat(naming.json().at("/errors/0/path").asText()).isEqualTo("filter.email");
            assertThat(http.get("/v1/segments", a.adminKey()).json().get("segments"))
                    .hasSize(1);
            assertThat(http.get("/v1/profiles?segment=nope", a.adminKey()).status())
                    .isEqualTo(400);
            assertThat(http.post("/v1/segments", a.adminKey(), "{\"name\": \"Recent VIPs\"}")
                            .status())
                    .isEqualTo(409);
        }
    }

    static String identify(TestLethe lethe, String key, String email, String phone, String ts) {
        String identifiers = "\"email\": \"" + email + "\"" + (phone == null ? "" : ", \"phone\": \"" + phone + "\"");
        var r = lethe.http()
                .post("/v1/identify", key, "{\"identifiers\": {" + identifiers + "}, \"ts\": \"" + ts + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("profileId").asText();
    }

    static List<String> ids(JsonNode page) {
        var out = new ArrayList<String>();
        page.get("profiles").forEach(p -> out.add(p.get("id").asText()));
        return out;
    }
}
