package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Installation;
import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestDatabase;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A database backup taken before an erasure, restored after it, gets the erasure again at start
 * from the journal (kept beside the data, where the restore does not reach): nothing of the person
 * is left, their identifiers are suppressed again, and the other person is untouched. On H2 the
 * backup is a copy of the embedded file taken while no server runs (a cold backup); on PostgreSQL
 * it is {@code pg_dump} of the server's schema, restored with {@code pg_restore} after the schema
 * is dropped, as an operator restores one.
 */
class RestoredBackupTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBackupFromBeforeAnErasureIsErasedAgainFromTheJournalAtStart(TestDatabase engine) throws Exception {
        try (var installation = Installation.on(engine)) {
            String key;
            String zebulon;
            String yolanda;
            try (var server = installation.start()) {
                var http = server.http();
                var account = http.post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Quokka\"}");
                key = account.json().get("adminKey").asText();
                Erasing.account(http, key);
                zebulon = Erasing.person(http, key, "laptop-zebulon", Erasing.EMAIL, Erasing.PHONE, Erasing.NAME);
                yolanda = Erasing.person(http, key, "phone-yolanda", "yolanda@example.org", "+32 471 11 22 33", "Y Q");
                server.stop();
            }
            var backup = Backup.of(installation, engine);
            try {
                try (var server = installation.start()) {
                    var erased = server.http().delete("/v1/profiles/" + zebulon, key);
                    assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
                    server.stop();
                }
                assertThat(Files.readString(installation.dataDir().resolve("erasure-journal")))
                        .contains(zebulon)
                        .doesNotContain(Erasing.EMAIL);
                backup.restore();
                assertThat(count(installation, "subjects", zebulon)).isEqualTo(1);

                try (var server = installation.start()) {
                    var retried = server.http().post("/v1/track", key, Erasing.visit("laptop-zebulon", Erasing.IP));
                    assertThat(retried.json().get("suppressed").asInt())
                            .as(retried.toString())
                            .isEqualTo(2);
                    var receipt = server.http().delete("/v1/profiles/" + zebulon, key);
                    assertThat(receipt.json().get("state").asText()).isEqualTo("purged");
                    server.stop();
                }
                for (String table : List.of(
                        "identifiers",
                        "personal_values",
                        "events",
                        "sessions",
                        "messages",
                        "conversations",
                        "goal_hits",
                        "field_values",
                        "profile_tags",
                        "subject_keys",
                        "subjects"))
                    assertThat(count(installation, table, zebulon)).as(table).isZero();
                assertThat(count(installation, "subjects", yolanda)).isEqualTo(1);
                assertThat(count(installation, "personal_values", yolanda)).isPositive();
            } finally {
                backup.delete();
            }
        }
    }

    private static long count(Installation installation, String table, String subjectId) {
        return Long.parseLong(installation
                .strings("select count(*) from " + table + " where subject_id = '" + subjectId + "'")
                .get(0));
    }
}
