package dev.lethe.requests;

import static dev.lethe.requests.RequestsApiTest.person;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A restricted person (GDPR Art. 18): their new activity is not stored (the ingest answer says
 * so), and they drop out of profile lists and segments, until the restriction is lifted.
 */
class RestrictionApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRestrictedPersonsEventsAreNotStoredAndTheyLeaveListsUntilLifted(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            var identified = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "visitorId": "laptop-1"}
                    """);
            String profile = identified.json().get("profileId").asText();
            person(http, a.adminKey(), "yolanda@example.org");
            String track = """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}, {"visitorId": "phone-9", "type": "page_view"}]}
                    """;
            assertThat(http.post("/v1/track", a.adminKey(), track)
                            .json()
                            .get("accepted")
                            .asInt())
                    .isEqualTo(2);
            long events = lethe.count("select count(*) from events");

            String restriction = http.post("/v1/requests", a.adminKey(), """
                            {"type": "restriction", "subject": {"email": "zebulon@example.org"}}
                            """)
                    .json()
                    .get("id")
                    .asText();
            var ingest = lethe.createKey(a.adminKey(), "ingest");
            var refused = http.post("/v1/track", ingest.key(), track);

            assertThat(refused.status()).as(refused.toString()).isEqualTo(202);
            assertThat(refused.json().get("accepted").asInt()).isEqualTo(1);
            assertThat(refused.json().get("rejected").get(0).get("index").asInt())
                    .isZero();
            assertThat(refused.json()
                            .get("rejected")
                            .get(0)
                            .get("errors")
                            .get(0)
                            .get("message")
                            .asText())
                    .contains("restricted");
            assertThat(lethe.count("select count(*) from events")).isEqualTo(events + 1);
            assertThat(profiles(lethe, a.adminKey())).doesNotContain(profile).hasSize(1);

            http.post("/v1/requests/" + restriction + "/lift", a.adminKey(), "");

            assertThat(http.post("/v1/track", ingest.key(), track)
                            .json()
                            .get("accepted")
                            .asInt())
                    .isEqualTo(2);
            assertThat(profiles(lethe, a.adminKey())).contains(profile).hasSize(2);
        }
    }

    private static ArrayList<String> profiles(TestLethe lethe, String key) {
        var r = lethe.http().get("/v1/profiles", key);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var out = new ArrayList<String>();
        r.json().get("profiles").forEach(p -> out.add(p.get("id").asText()));
        return out;
    }
}
