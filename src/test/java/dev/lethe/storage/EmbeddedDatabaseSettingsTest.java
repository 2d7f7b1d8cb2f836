package dev.lethe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 database writes each commit to its file before the commit returns (promise 10;
 * the kill -9 test proves what that buys) and keeps no trace file, whatever the H2 URL says.
 */
class EmbeddedDatabaseSettingsTest {

    @TempDir
    Path dataDir;

    @Test
    void theEmbeddedDatabaseWritesEachCommitWithoutDelay() {
        try (var db = Database.open(new DatabaseSettings(Database.embeddedUrl(dataDir), null, null, 2))) {
            assertThat(setting(db, "WRITE_DELAY")).isNotEmpty().containsOnly("0");
        }
    }

    @Test
    void anOperatorsH2UrlCannotTurnTheWriteDelayOrTheTraceFileBackOn() {
        String url = "jdbc:h2:file:" + dataDir.resolve("own") + ";write_delay=500;TRACE_LEVEL_FILE=2;MODE=PostgreSQL";

        try (var db = Database.open(new DatabaseSettings(url, null, null, 2))) {
            assertThat(setting(db, "WRITE_DELAY")).isNotEmpty().containsOnly("0");
        }
        // The settings part only: the temporary directory's random name may itself hold "500".
        String settings = Database.jdbcUrl(url).substring(url.indexOf(';'));
        assertThat(settings)
                .doesNotContainIgnoringCase("WRITE_DELAY=500")
                .doesNotContain("TRACE_LEVEL_FILE=2")
                .contains("MODE=PostgreSQL");
    }

    @Test
    void aPostgresqlUrlIsUsedAsGiven() {
        String url = "jdbc:postgresql://127.0.0.1:5432/lethe?user=lethe";

        assertThat(Database.jdbcUrl(url)).isEqualTo(url);
    }

    @Test
    void aFailedStatementLeavesNoTraceFileWithTheValueItWasGivenBesideTheDatabase() throws IOException {
        try (var db = Database.open(new DatabaseSettings(Database.embeddedUrl(dataDir), null, null, 2))) {
            assertThatThrownBy(() -> db.jdbi()
                            .withHandle(h -> h.createQuery("select cast(:value as integer)")
                                    .bind("value", "zebulon@example.org")
                                    .mapTo(Integer.class)
                                    .one()))
                    .isNotNull();
        }
        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".trace.db"));
        }
    }

    /** A setting's value as the open database reports it (H2 lists some settings twice). */
    private static List<String> setting(Database db, String name) {
        return db.jdbi()
                .withHandle(h -> h.createQuery(
                                "select setting_value from information_schema.settings where setting_name = :name")
                        .bind("name", name)
                        .mapTo(String.class)
                        .list());
    }
}
