package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The profile view shows every identifier the profile holds, decrypted, the latest first. */
class ProfileIdentifiersApiTest {

    /** The data core's policy, keeping devices' ids as values of a category of their own. */
    static final String WITH_DEVICE_IDS =
            TestPolicies.DATA_CORE.replace("""
                      shoe_size:
                    """, """
                      device_id:
                        purpose: identification
                        lawfulBasis: legitimate_interests
                        source: tracking
                        subjects: [visitor, profile]
                        retention: { period: P1Y, after: collected }
                      shoe_size:
                    """).replace("""
                      identifiers.phone: phone_number
                    """, """
                      identifiers.phone: phone_number
                      identifiers.visitorId: device_id
                    """);

    private static String identify(TestLethe lethe, String key, String body) {
        var r = lethe.http().post("/v1/identify", key, body);
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("profileId").asText();
    }

    private static List<String> values(JsonNode list) {
        var out = new ArrayList<String>();
        list.forEach(
                i -> out.add(i.get("value").isNull() ? null : i.get("value").asText()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyEmailThatFindsAMergedProfileIsShownDecryptedTheLatestFirst(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String survivor = identify(lethe, a.adminKey(), "{\"identifiers\": {\"email\": \"zebulon@example.org\"}}");
            lethe.clock().advance(Duration.ofHours(1));
            String second = identify(lethe, a.adminKey(), "{\"identifiers\": {\"email\": \"Zeb@Example.org \"}}");
            lethe.clock().advance(Duration.ofHours(1));
            String third = identify(lethe, a.adminKey(), """
                    {"identifiers": {"email": "z.quux@example.org", "phone": "+32 471 23 45 67"}}
                    """);
            http.post("/v1/profiles/" + survivor + "/merge", a.adminKey(), "{\"from\": \"" + second + "\"}");
            http.post("/v1/profiles/" + survivor + "/merge", a.adminKey(), "{\"from\": \"" + third + "\"}");
            for (String email : List.of("zebulon@example.org", "zeb@example.org", "z.quux@example.org")) {
                assertThat(http.get("/v1/profiles?email=" + email, a.adminKey())
                                .json()
                                .at("/profiles/0/id")
                                .asText())
                        .isEqualTo(survivor);
            }

            var view = http.get("/v1/profiles/" + survivor, a.adminKey()).json();

            var emails = view.at("/identifiers/email");
            assertThat(values(emails)).containsExactly("z.quux@example.org", "zeb@example.org", "zebulon@example.org");
            assertThat(emails.findValuesAsText("latest")).containsExactly("true", "false", "false");
            assertThat(emails.get(0).get("collectedAt").asText())
                    .isGreaterThan(emails.get(1).get("collectedAt").asText());
            assertThat(values(view.at("/identifiers/phone"))).containsExactly("+32471234567");
            assertThat(view.at("/identifiers/externalId")).isEmpty();
            assertThat(view.at("/identifiers/visitorId")).isEmpty();
            assertThat(view.at("/contact/email").asText()).isEqualTo("z.quux@example.org");
            assertThat(view.at("/contact/phone").asText()).isEqualTo("+32471234567");

            // given again, the first email becomes the latest; the order is stable between reads
            lethe.clock().advance(Duration.ofHours(1));
            identify(lethe, a.adminKey(), "{\"identifiers\": {\"email\": \"zebulon@example.org\"}}");
            var again = http.get("/v1/profiles/" + survivor, a.adminKey()).json();
            assertThat(values(again.at("/identifiers/email")))
                    .containsExactly("zebulon@example.org", "z.quux@example.org", "zeb@example.org");
            assertThat(again.at("/contact/email").asText()).isEqualTo("zebulon@example.org");
            assertThat(http.get("/v1/profiles/" + survivor, a.adminKey())
                            .json()
                            .at("/identifiers")
                            .toString())
                    .isEqualTo(again.at("/identifiers").toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aProfileAMessageMadeShowsTheIdentifierItWasMadeBy(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Telecom");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), Files.readString(Path.of("examples/messaging-platform.yaml")));

            var r = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"email": " Zebulon@Example.org"}, "channel": "email", "api": "smtp", "direction": "outbound", "content": "hello"},
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "api": "smtp", "direction": "outbound", "content": "again"},
                      {"subject": {"externalId": "crm-zebulon-7"}, "channel": "email", "api": "smtp", "direction": "outbound", "content": "no"}
                    ]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(2);
            // the messaging policy maps no category for external ids: such a person is refused, as identify refuses
            // them
            assertThat(r.json().at("/rejected/0/index").asInt()).isEqualTo(2);
            assertThat(r.json().at("/rejected/0/errors/0/path").asText()).isEqualTo("messages[2].subject.externalId");
            var profiles = http.get("/v1/profiles", a.adminKey()).json().get("profiles");
            assertThat(profiles).hasSize(1);
            var view = http.get("/v1/profiles/" + profiles.get(0).get("id").asText(), a.adminKey())
                    .json();
            assertThat(view.at("/contact/email").asText()).isEqualTo("zebulon@example.org");
            assertThat(values(view.at("/identifiers/email"))).containsExactly("zebulon@example.org");
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and field = 'identifiers.email'",
                            a.id()))
                    .isEqualTo(1);
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .filteredOn(c -> c.text().toLowerCase(Locale.ROOT).contains("zebulon"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aProfilesDevicesAreShownByTheirIdsWhenThePolicyKeepsThemAndCountedWhenItDoesNot(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var kept = lethe.createAccount("Quokka");
            var indexed = lethe.createAccount("Wombat");
            var http = lethe.http();
            http.putYaml("/v1/policy", kept.adminKey(), WITH_DEVICE_IDS);
            http.putYaml("/v1/policy", indexed.adminKey(), TestPolicies.DATA_CORE);
            for (var account : List.of(kept, indexed)) {
                http.post("/v1/track", account.adminKey(), """
                        {"events": [{"visitorId": "laptop-zebulon", "type": "page_view"}]}
                        """);
                identify(lethe, account.adminKey(), """
                        {"visitorId": "laptop-zebulon", "identifiers": {"email": "zebulon@example.org"}}
                        """);
                lethe.clock().advance(Duration.ofMinutes(5));
                identify(lethe, account.adminKey(), """
                        {"visitorId": "tablet-zebulon", "identifiers": {"email": "zebulon@example.org"}}
                        """);
            }
            String keptProfile = http.get("/v1/profiles", kept.adminKey())
                    .json()
                    .at("/profiles/0/id")
                    .asText();
            String indexedProfile = http.get("/v1/profiles", indexed.adminKey())
                    .json()
                    .at("/profiles/0/id")
                    .asText();

            var devices = http.get("/v1/profiles/" + keptProfile, kept.adminKey())
                    .json()
                    .at("/identifiers/visitorId");
            var blind = http.get("/v1/profiles/" + indexedProfile, indexed.adminKey())
                    .json()
                    .at("/identifiers/visitorId");

            assertThat(values(devices)).containsExactly("tablet-zebulon", "laptop-zebulon");
            assertThat(devices.get(0).get("latest").asBoolean()).isTrue();
            assertThat(values(blind)).containsExactly(null, null);
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .filteredOn(c -> c.text().toLowerCase(Locale.ROOT).contains("zebulon"))
                    .isEmpty();
        }
    }
}
