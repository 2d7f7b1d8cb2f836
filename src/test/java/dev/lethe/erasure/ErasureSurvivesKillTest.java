package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.Installation;
import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestPolicies;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An erasure killed with SIGKILL between its shredding transaction and the end of its purge (a
 * big person: the purge takes many batches) is finished when the server starts again: nothing of
 * the person is left, and the receipt's counts are exactly what the person had.
 */
class ErasureSurvivesKillTest {

    private static final int BATCHES = 16;
    private static final int EVENTS_PER_BATCH = 1000;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPurgeCutShortByAKillNineIsFinishedAtStartWithExactCounts(TestDatabase engine) throws Exception {
        try (var installation = Installation.on(engine)) {
            String adminKey;
            String profile;
            try (var server = installation.start()) {
                var http = server.http();
                var account = http.post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Quokka\"}");
                adminKey = account.json().get("adminKey").asText();
                assertThat(http.putYaml("/v1/policy", adminKey, TestPolicies.DATA_CORE)
                                .status())
                        .isEqualTo(201);
                for (int b = 0; b < BATCHES; b++) {
                    var events = new StringBuilder();
                    for (int i = 0; i < EVENTS_PER_BATCH; i++) {
                        if (i > 0) events.append(',');
                        events.append("{\"visitorId\": \"big-visitor\", \"type\": \"page_view\","
                                + " \"context\": {\"ip\": \"198.51.100.9\", \"url\": \"https://shop.example/" + i
                                + "\"}}");
                    }
                    var r = http.post("/v1/track", adminKey, "{\"events\": [" + events + "]}");
                    assertThat(r.json().get("accepted").asInt())
                            .as(r.toString())
                            .isEqualTo(EVENTS_PER_BATCH);
                }
                var identify = http.post("/v1/identify", adminKey, """
                        {"visitorId": "big-visitor", "identifiers": {"email": "big@example.org"}}
                        """);
                profile = identify.json().get("profileId").asText();
                var erasing = CompletableFuture.supplyAsync(() -> http.delete("/v1/profiles/" + profile, adminKey));
                // the shredding transaction has committed once its audit entry is there: kill then
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!erased(http, adminKey) && System.nanoTime() < deadline) Thread.sleep(5);
                server.kill();
                erasing.handle((r, e) -> null).join();
            }
            // killed after the keys were destroyed and before the purge had finished
            assertThat(installation.strings("select state from erasures")).containsExactly("shredded");
            long left = Long.parseLong(installation
                    .strings("select count(*) from events where subject_id = '" + profile + "'")
                    .get(0));
            assertThat(left).isPositive();

            Http.Response receipt;
            try (var server = installation.start()) {
                receipt = server.http().delete("/v1/profiles/" + profile, adminKey);
                server.stop();
            }
            assertThat(receipt.status()).as(receipt.toString()).isEqualTo(200);
            assertThat(receipt.json().get("state").asText()).isEqualTo("purged");
            var rows = new java.util.HashMap<String, Integer>();
            receipt.json()
                    .get("tables")
                    .forEach(
                            t -> rows.put(t.get("table").asText(), t.get("rows").asInt()));
            assertThat(rows.get("events")).isEqualTo(BATCHES * EVENTS_PER_BATCH);
            // per event its ip and url, the session summary's url, and the email
            assertThat(rows.get("personal_values")).isEqualTo(2 * BATCHES * EVENTS_PER_BATCH + 2);
            for (String table : java.util.List.of("events", "personal_values", "sessions", "identifiers", "subjects"))
                assertThat(installation.strings(
                                "select count(*) from " + table + " where subject_id = '" + profile + "'"))
                        .as(table)
                        .containsExactly("0");
        }
    }

    private static boolean erased(Http http, String adminKey) {
        var page = http.get("/v1/audit?action=erasure.erase", adminKey);
        return page.status() == 200 && page.json().get("entries").size() > 0;
    }
}
