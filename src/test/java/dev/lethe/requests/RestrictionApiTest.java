package dev.lethe.requests;

import static dev.lethe.requests.RequestsApiTest.person;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A restricted person (GDPR Art. 18): their new activity is not stored (the ingest answer says
 * so) — not by track, identify or messages — and they drop out of profile lists and segments,
 * until the restriction is lifted; their right of access is not restricted.
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void identifyAndMessagesStoreNothingForARestrictedPersonWhoStillGetsTheirAccessPackage(TestDatabase engine)
            throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Telecom");
            var http = lethe.http();
            assertThat(http.putYaml(
                                    "/v1/policy",
                                    a.adminKey(),
                                    Files.readString(Path.of("examples/messaging-platform.yaml")))
                            .status())
                    .isEqualTo(201);
            String profile = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org"}, "visitorId": "laptop-1"}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            String restriction = http.post("/v1/requests", a.adminKey(), """
                            {"type": "restriction", "subject": {"email": "zebulon@example.org"}}
                            """)
                    .json()
                    .get("id")
                    .asText();
            var ingest = lethe.createKey(a.adminKey(), "ingest");
            var subject = java.util.UUID.fromString(profile);
            long values = lethe.count("select count(*) from personal_values where subject_id = ?", subject);
            long devices = lethe.count("select count(*) from identifiers where subject_id = ?", subject);

            long identifiers = lethe.count("select count(*) from identifiers");
            for (String key : List.of(a.adminKey(), ingest.key())) {
                var identified = http.post("/v1/identify", key, """
                        {"identifiers": {"email": "zebulon@example.org", "phone": "+32 471 23 45 67"},
                         "visitorId": "tablet-2"}
                        """);
                assertThat(identified.status()).as(identified.toString()).isEqualTo(409);
                assertThat(identified.json().get("title").asText()).contains("restricted", "Art. 18");
            }
            assertThat(lethe.count("select count(*) from identifiers"))
                    .as("neither the phone nor the new device was claimed")
                    .isEqualTo(identifiers);
            var messages = http.post("/v1/messages", ingest.key(), """
                    {"messages": [
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "api": "smtp",
                       "direction": "outbound", "content": "Your zebulon order ships today", "status": "delivered"},
                      {"subject": {"email": "yolanda@example.org"}, "channel": "email", "api": "smtp",
                       "direction": "outbound", "content": "Your order ships today", "status": "delivered"}
                    ]}
                    """);
            assertThat(messages.status()).as(messages.toString()).isEqualTo(202);
            assertThat(messages.json().get("accepted").asInt()).isEqualTo(1);
            assertThat(messages.json().at("/rejected/0/index").asInt()).isZero();
            assertThat(messages.json().at("/rejected/0/errors/0/message").asText())
                    .contains("restricted", "not stored");
            assertThat(lethe.count("select count(*) from messages where subject_id = ?", subject))
                    .isZero();
            assertThat(lethe.count("select count(*) from personal_values where subject_id = ?", subject))
                    .as("no new value for the restricted person")
                    .isEqualTo(values);
            assertThat(lethe.count("select count(*) from identifiers where subject_id = ?", subject))
                    .as("no new device or phone")
                    .isEqualTo(devices);

            // the right of access is not restricted: the person still gets their package
            String access = http.post("/v1/requests", a.adminKey(), """
                            {"type": "access", "subject": {"email": "zebulon@example.org"}}
                            """)
                    .json()
                    .get("id")
                    .asText();
            var pkg = http.get("/v1/requests/" + access + "/package", a.adminKey());
            assertThat(pkg.status()).as(pkg.toString()).isEqualTo(200);
            assertThat(pkg.json().at("/subject/id").asText()).isEqualTo(profile);
            assertThat(profiles(lethe, a.adminKey())).doesNotContain(profile);

            http.post("/v1/requests/" + restriction + "/lift", a.adminKey(), "");
            assertThat(http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org"}, "visitorId": "tablet-2"}
                            """).status()).isIn(200, 201);
            assertThat(http.post("/v1/messages", ingest.key(), """
                            {"messages": [{"subject": {"email": "zebulon@example.org"}, "channel": "email", "api": "smtp",
                             "direction": "outbound", "content": "Your zebulon order ships today", "status": "delivered"}]}
                            """)
                            .json()
                            .get("accepted")
                            .asInt())
                    .isEqualTo(1);
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
