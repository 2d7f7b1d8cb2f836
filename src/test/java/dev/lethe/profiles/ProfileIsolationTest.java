package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promises 6 and 4 for profiles: one account's keys neither see nor change another account's
 * profiles, even for the same person and the same device id; reads and identifications are
 * audited by id, never by value.
 */
class ProfileIsolationTest {

    static TestLethe.Tenant account(TestLethe lethe, String name) {
        var t = lethe.createAccount(name);
        var r = lethe.http().putYaml("/v1/policy", t.adminKey(), TestPolicies.DATA_CORE);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return t;
    }

    static List<String> listedIds(TestLethe lethe, TestLethe.Tenant t) {
        var r = lethe.http().get("/v1/profiles", t.adminKey());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var out = new ArrayList<String>();
        r.json().get("profiles").forEach(p -> out.add(p.get("id").asText()));
        return out;
    }

    static List<JsonNode> audit(TestLethe lethe, TestLethe.Tenant t, String action) {
        var r = lethe.http().get("/v1/audit?action=" + action, t.adminKey());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var out = new ArrayList<JsonNode>();
        r.json().get("entries").forEach(out::add);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anotherAccountNeitherSeesNorTouchesAProfileEvenForTheSamePersonAndDevice(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var http = lethe.http();
            var a = account(lethe, "Quokka Shop");
            var b = account(lethe, "Wombat Games");
            assertThat(http.post("/v1/track", a.adminKey(), """
                                    {"events": [{"visitorId": "laptop-1", "type": "page_view",
                                      "context": {"url": "https://quokka.example/"}}]}
                                    """)
                            .json()
                            .get("accepted")
                            .asInt())
                    .isEqualTo(1);
            var identified = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"},
                     "traits": {"name": "Zebulon Quux"}}
                    """);
            assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
            String profileA = identified.json().get("profileId").asText();
            var viewBefore = http.get("/v1/profiles/" + profileA, a.adminKey());
            assertThat(viewBefore.status()).isEqualTo(200);
            assertThat(viewBefore.json().get("contact").get("email").asText()).isEqualTo("zebulon@example.org");
            assertThat(listedIds(lethe, a)).containsExactly(profileA);

            var fromB = http.get("/v1/profiles/" + profileA, b.adminKey());
            assertThat(fromB.status()).as(fromB.toString()).isEqualTo(404);
            assertThat(fromB.body().toLowerCase(Locale.ROOT)).doesNotContain("zebulon");
            assertThat(listedIds(lethe, b)).isEmpty();

            var sameEmailInB = http.post("/v1/identify", b.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}}
                    """);
            assertThat(sameEmailInB.status()).as(sameEmailInB.toString()).isEqualTo(201);
            String profileB = sameEmailInB.json().get("profileId").asText();
            assertThat(profileB).isNotEqualTo(profileA);
            assertThat(listedIds(lethe, b)).containsExactly(profileB);

            lethe.clock().advance(Duration.ofHours(2));
            var trackedByB = http.post("/v1/track", b.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view",
                      "context": {"url": "https://wombat.example/"}}]}
                    """);
            assertThat(trackedByB.json().get("accepted").asInt())
                    .as(trackedByB.toString())
                    .isEqualTo(1);

            var viewAfter = http.get("/v1/profiles/" + profileA, a.adminKey());
            // the clock moved on, so A's visit has ended since; nothing else of A may differ
            assertThat(withoutEnded(viewAfter.json())).isEqualTo(withoutEnded(viewBefore.json()));
            assertThat(viewAfter.json().get("summary").get("events").asInt()).isEqualTo(1);
            assertThat(lethe.count("select count(*) from events where subject_id = ?", profileA))
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", b.id()))
                    .as("B's own profile and B's own anonymous laptop-1")
                    .isEqualTo(2);

            var identifications = audit(lethe, a, "profile.identify");
            assertThat(identifications).hasSize(1);
            assertThat(identifications.get(0).get("targets"))
                    .extracting(JsonNode::asText)
                    .containsExactly("profile:" + profileA);
            var reads = audit(lethe, a, "profile.read");
            assertThat(reads).hasSize(2);
            assertThat(reads)
                    .allSatisfy(e -> assertThat(e.get("targets"))
                            .extracting(JsonNode::asText)
                            .containsExactly("profile:" + profileA));
            var wholeLogOfA = http.get("/v1/audit?limit=1000", a.adminKey());
            assertThat(wholeLogOfA.body()).contains("profile:" + profileA).doesNotContain(profileB);
            assertThat(wholeLogOfA.body().toLowerCase(Locale.ROOT)).doesNotContain("zebulon", "example.org", "quux");
            var wholeLogOfB = http.get("/v1/audit?limit=1000", b.adminKey());
            assertThat(wholeLogOfB.body()).contains("profile:" + profileB).doesNotContain(profileA);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode withoutEnded(com.fasterxml.jackson.databind.JsonNode view) {
        var copy = view.deepCopy();
        copy.get("visits").forEach(v -> ((com.fasterxml.jackson.databind.node.ObjectNode) v).remove("ended"));
        return copy;
    }
}
