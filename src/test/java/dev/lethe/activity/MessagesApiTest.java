package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Messages under the messaging platform's example policy (the seed's retention table). */
class MessagesApiTest {

    static String policy() throws IOException {
        return Files.readString(Path.of("examples/messaging-platform.yaml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eachMessageIsGovernedByTheFirstMatchingRecordAndItsPersonalPartsAreSealed(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Telecom");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), policy()).status())
                    .isEqualTo(201);
            var now = lethe.clock().instant();

            var r = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"email": "Zebulon@Example.org"}, "channel": "email", "api": "smtp", "direction": "outbound",
                       "content": "Your zebulon order ships today", "status": "delivered",
                       "traffic": {"from": "shop@quokka.example", "to": "zebulon@example.org"}},
                      {"subject": {"phone": "+32 471 23 45 67"}, "channel": "whatsapp", "product": "conversations",
                       "direction": "inbound", "conversationId": "conv-1", "content": "Hi, zebulon here",
                       "attachments": [{"name": "photo.jpg", "data": "zebulon-photo-bytes"}]},
                      {"subject": {"phone": "+32 471 23 45 67"}, "channel": "pigeon", "direction": "inbound", "content": "coo"},
                      {"subject": {"phone": "+32 471 23 45 67"}, "channel": "chat", "product": "conversations",
                       "direction": "inbound", "conversationId": "conv-old", "ts": "%s", "content": "long ago"}
                    ]}
                    """.formatted(now.minus(Duration.ofDays(200))));

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            var body = r.json();
            assertThat(body.get("accepted").asInt()).isEqualTo(2);
            assertThat(body.at("/rejected/0/index").asInt()).isEqualTo(2);
            assertThat(body.at("/rejected/0/errors/0/path").asText()).isEqualTo("messages[2]");
            assertThat(body.at("/rejected/0/errors/0/message").asText())
                    .contains("no record of kind 'message'", "pigeon");
            // The conversation started 200 days ago: past the 6 months of conversations content.
            assertThat(body.get("expired").toString()).contains("\"index\":3");
            assertThat(lethe.strings(
                            "select record_rule from messages where account_id = ? order by record_rule", a.id()))
                    .containsExactly("communication_content_conversations", "email_content_smtp");
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and record_kind = 'media'",
                            a.id()))
                    .isEqualTo(1);

            var profiles = http.get("/v1/profiles", a.adminKey()).json().get("profiles");
            assertThat(profiles).hasSize(2);
            var cells = RawStorage.cells(lethe.jdbcUrl());
            assertThat(cells)
                    .filteredOn(c -> c.text().toLowerCase(Locale.ROOT).contains("zebulon")
                            || c.text().contains("+32471234567")
                            || c.text().contains("quokka.example")
                            || c.text().contains("conv-1"))
                    .isEmpty();
            var stats = http.get("/v1/statistics?from=2026-01-01&to=2026-01-31", a.adminKey())
                    .body();
            assertThat(stats).contains("messages_by_channel", "whatsapp", "email", "delivered");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void messagesOfOnePersonLandOnOneProfileAndAnUnmappedFieldRefusesOnlyItsMessage(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Telecom");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), policy());

            var r = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"phone": "+32471234567"}, "channel": "sms", "product": "cpaas", "direction": "outbound", "content": "one"},
                      {"subject": {"phone": "+32 471 23 45 67"}, "channel": "sms", "product": "cpaas", "direction": "inbound", "content": "two"},
                      {"subject": {"phone": "+32471234567"}, "channel": "sms", "product": "cpaas", "direction": "sideways"},
                      {"subject": {"phone": "+32471234567"}, "channel": "sms", "product": "cpaas", "direction": "inbound",
                       "traffic": {"colour": "blue"}}
                    ]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(2);
            assertThat(r.json().get("rejected").toString())
                    .contains("messages[2].direction", "messages[3].traffic.colour");
            String profileId = http.get("/v1/profiles", a.adminKey())
                    .json()
                    .at("/profiles/0/id")
                    .asText();
            var view = http.get("/v1/profiles/" + profileId, a.adminKey()).json();
            assertThat(view.at("/summary/messages").asInt()).isEqualTo(2);

            var b = lethe.createAccount("Wombat");
            assertThat(http.get("/v1/profiles/" + profileId, b.adminKey()).status())
                    .isEqualTo(404);
            var badBatch = http.post("/v1/messages", a.adminKey(), "{\"messages\": []}");
            assertThat(badBatch.status()).isEqualTo(422);
        }
    }
}
