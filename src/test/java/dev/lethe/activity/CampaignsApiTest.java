package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A campaign's end, the clock of the campaign_ended trigger: recorded, moved and cleared by an
 * admin, read back, audited by id, refused with its path when wrong, and another account's is
 * not there.
 */
class CampaignsApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCampaignsEndIsRecordedMovedClearedAndReadBack(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            String read = lethe.createKey(a.adminKey(), "read").key();

            assertThat(http.get("/v1/campaigns/spring-2026", read).status()).isEqualTo(404);
            var ended = http.put(
                    "/v1/campaigns/spring-2026",
                    a.adminKey(),
                    "{\"endedAt\": \"2026-01-10T00:00:00Z\"}",
                    "application/json");
            assertThat(ended.status()).as(ended.toString()).isEqualTo(200);
            assertThat(ended.json().get("endedAt").asText()).isEqualTo("2026-01-10T00:00:00Z");
            var moved = http.put(
                    "/v1/campaigns/spring-2026",
                    a.adminKey(),
                    "{\"endedAt\": \"2026-01-12T00:00:00Z\"}",
                    "application/json");
            assertThat(moved.json().get("endedAt").asText()).isEqualTo("2026-01-12T00:00:00Z");
            assertThat(http.get("/v1/campaigns/spring-2026", read)
                            .json()
                            .get("endedAt")
                            .asText())
                    .isEqualTo("2026-01-12T00:00:00Z");
            var reopened =
                    http.put("/v1/campaigns/spring-2026", a.adminKey(), "{\"endedAt\": null}", "application/json");
            assertThat(reopened.status()).isEqualTo(200);
            assertThat(reopened.json().get("endedAt").isNull()).isTrue();
            assertThat(lethe.count("select count(*) from campaigns")).isEqualTo(1);

            // another account has no such campaign, and cannot change this one
            assertThat(http.get("/v1/campaigns/spring-2026", b.adminKey()).status())
                    .isEqualTo(404);
            assertThat(http.put("/v1/campaigns/spring-2026", read, "{\"endedAt\": null}", "application/json")
                            .status())
                    .isEqualTo(403);

            // mistakes at their paths, nothing changed
            var missing = http.put("/v1/campaigns/spring-2026", a.adminKey(), "{}", "application/json");
            assertThat(missing.status()).isEqualTo(422);
            assertThat(missing.json().at("/errors/0/path").asText()).isEqualTo("endedAt");
            var far = http.put(
                    "/v1/campaigns/spring-2026",
                    a.adminKey(),
                    "{\"endedAt\": \"+1000000000-01-01T00:00:00Z\"}",
                    "application/json");
            assertThat(far.status()).isEqualTo(422);
            var longId = http.put(
                    "/v1/campaigns/" + "c".repeat(201), a.adminKey(), "{\"endedAt\": null}", "application/json");
            assertThat(longId.status()).as(longId.toString()).isEqualTo(422);
            assertThat(longId.json().at("/errors/0/path").asText()).isEqualTo("id");
            assertThat(lethe.count("select count(*) from campaigns")).isEqualTo(1);

            assertThat(lethe.strings("select action from audit_log where action like 'campaign.%' order by at"))
                    .containsExactly("campaign.end", "campaign.end", "campaign.reopen");
        }
    }

    /** A campaign id is a name: a message cannot put an email in the clear column it lands in. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMessagesCampaignIdIsANameNotFreeText(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), Files.readString(Path.of("examples/messaging-platform.yaml")));
            var r = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "direction": "outbound",
                       "api": "smtp", "campaignId": "yolanda@example.org", "content": "hello"},
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "direction": "outbound",
                       "api": "smtp", "campaignId": "spring-2026", "content": "hello"}
                    ]}
                    """);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
            assertThat(r.json().at("/rejected/0/errors/0/path").asText()).isEqualTo("messages[0].campaignId");
            assertThat(lethe.strings("select campaign_id from messages")).containsExactly("spring-2026");
        }
    }

    /** First calls for one campaign at once: every one answers 200, one row, never a 500. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void campaignEndsSetAtOnceAllSucceedOnOneRow(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            for (int round = 0; round < 5; round++) {
                String path = "/v1/campaigns/race-" + round;
                var statuses = dev.lethe.testing.Concurrently.times(
                        8,
                        () -> http.put(
                                        path,
                                        a.adminKey(),
                                        "{\"endedAt\": \"2026-01-10T00:00:00Z\"}",
                                        "application/json")
                                .status());
                assertThat(statuses).as("round " + round).containsOnly(200);
            }
            assertThat(lethe.count("select count(*) from campaigns")).isEqualTo(5);
        }
    }
}
