package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Concurrently;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Erasure takes the common lock order, so it races safely (DESIGN promise 10): with ingest for the
 * same person arriving over HTTP at the same moment, with a merge of the person, and with a sweep,
 * the end state is one a single order of them would have made — the person erased, none of their
 * rows left, no new subject made from their identifiers — and nothing answers 500.
 */
class ErasureRacesTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void erasureRacingIngestMergeAndSweepLeavesThePersonErased(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            String key = Erasing.account(lethe, a);
            var http = lethe.http();
            for (int round = 0; round < 3; round++) {
                String visitor = "laptop-" + round;
                String email = "racer" + round + "@example.org";
                String person = Erasing.person(http, key, visitor, email, "+32 471 00 00 0" + round, "Racer");
                String other = Erasing.person(
                        http, key, "other-" + round, "other" + round + "@example.org", "+32 472 00 00 0" + round, "O");
                var calls = new ArrayList<Callable<Http.Response>>();
                calls.add(() -> http.delete("/v1/profiles/" + person, key));
                for (int i = 0; i < 4; i++) {
                    calls.add(() -> http.post("/v1/track", key, Erasing.visit(visitor, Erasing.IP)));
                    calls.add(() -> http.post("/v1/identify", key, """
                            {"visitorId": "%s", "identifiers": {"email": "%s"}, "traits": {"name": "Racer"}}
                            """.formatted(visitor, email)));
                }
                calls.add(() -> http.post("/v1/profiles/" + other + "/merge", key, "{\"from\": \"" + person + "\"}"));
                calls.add(() -> http.post("/v1/sweeps", key, "{}"));

                List<Http.Response> answers = Concurrently.run(calls);

                for (var r : answers) assertThat(r.status()).as(r.toString()).isLessThan(500);
                var erased = answers.get(0);
                // the merge may have won: then the person lives on as the other, and erasing it is a 404
                boolean mergedFirst = erased.status() == 404;
                if (mergedFirst) {
                    assertThat(answers.get(answers.size() - 2).status()).isEqualTo(200);
                    continue;
                }
                assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
                var merge = answers.get(answers.size() - 2);
                assertThat(merge.status()).as(merge.toString()).isIn(200, 410, 422);
                for (String table : List.of(
                        "identifiers", "personal_values", "events", "sessions", "messages", "subject_keys", "subjects"))
                    assertThat(lethe.count(
                                    "select count(*) from " + table + " where account_id = ? and subject_id = ?",
                                    a.id(),
                                    person))
                            .as(table)
                            .isZero();
                // no new person was made from the erased identifiers
                var again = http.post("/v1/track", key, Erasing.visit(visitor, Erasing.IP));
                assertThat(again.json().get("suppressed").asInt())
                        .as(again.toString())
                        .isEqualTo(2);
                assertThat(lethe.count(
                                "select count(*) from identifiers where account_id = ? and blind_index = ?",
                                a.id(),
                                visitorIndex(lethe, a.id(), visitor)))
                        .isZero();
            }
        }
    }

    private static String visitorIndex(TestLethe lethe, String accountId, String visitor) {
        return java.util.HexFormat.of().formatHex(lethe.lethe().keyring().blindIndex(accountId, "visitorId", visitor));
    }
}
