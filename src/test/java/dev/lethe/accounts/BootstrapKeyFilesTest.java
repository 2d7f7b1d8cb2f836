package dev.lethe.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.Lethe;
import dev.lethe.http.HttpServer;
import dev.lethe.storage.Database;
import dev.lethe.storage.DatabaseSettings;
import dev.lethe.testing.Http;
import dev.lethe.testing.MutableClock;
import dev.lethe.testing.SchemaConformance;
import dev.lethe.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each database keeps its bootstrap operator key in a file of its own, and no key file is ever replaced. */
class BootstrapKeyFilesTest {

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-01-15T09:00:00Z"));

    private static Lethe start(Path dataDir, DatabaseSettings database) {
        return Lethe.start(
                new Lethe.Config(
                        dataDir,
                        database,
                        new HttpServer.Settings("127.0.0.1", 0, 200_000).withResponseCheck(new SchemaConformance()),
                        Optional.empty()),
                CLOCK,
                new SecureRandom());
    }

    private static DatabaseSettings embedded(Path dataDir) {
        return new DatabaseSettings(Database.embeddedUrl(dataDir), null, null, 4);
    }

    private static int accounts(Lethe lethe, String key) {
        return new Http(lethe.port()).get("/v1/accounts", key).status();
    }

    @Test
    void theEmbeddedDatabaseAndThenAPostgresqlOnTheSameDataDirectoryEachKeepTheirOwnKey(@TempDir Path tmp)
            throws IOException {
        var postgres = TestDatabases.list().stream().filter(d -> d.isPostgres()).findFirst();
        Assumptions.assumeTrue(postgres.isPresent(), "needs LETHE_TEST_PG_URL");
        Path dataDir = tmp.resolve("data");
        try (var pg = postgres.get().fresh()) {
            String h2Key;
            Path h2File;
            try (var h2 = start(dataDir, embedded(dataDir))) {
                h2File = h2.bootstrapKeyFile();
                h2Key = Files.readString(h2File).strip();
                assertThat(h2.newBootstrapKey()).contains(h2Key);
            }
            String pgKey;
            Path pgFile;
            try (var onPg = start(dataDir, pg.settings())) {
                pgFile = onPg.bootstrapKeyFile();
                pgKey = Files.readString(pgFile).strip();
                assertThat(onPg.newBootstrapKey()).contains(pgKey);
                assertThat(accounts(onPg, pgKey)).isEqualTo(200);
                assertThat(accounts(onPg, h2Key)).isEqualTo(401);
            }

            assertThat(h2File.getFileName()).hasToString("bootstrap-operator.key");
            assertThat(pgFile).isNotEqualTo(h2File);
            assertThat(pgFile.getFileName().toString()).startsWith("bootstrap-operator-postgresql-");
            assertThat(pgFile.getFileName().toString()).doesNotContain("password");
            assertThat(Files.readString(h2File).strip()).isEqualTo(h2Key);
            try (var h2Again = start(dataDir, embedded(dataDir))) {
                assertThat(h2Again.newBootstrapKey()).isEmpty();
                assertThat(accounts(h2Again, h2Key)).isEqualTo(200);
                assertThat(accounts(h2Again, pgKey)).isEqualTo(401);
            }
            try (var pgAgain = start(dataDir, pg.settings())) {
                assertThat(accounts(pgAgain, pgKey)).isEqualTo(200);
            }
        }
    }

    @Test
    void aKeyFileThatExistsIsNeverReplacedAndTheStartSaysWhichFileAndWhatToDo(@TempDir Path tmp) throws IOException {
        Path dataDir = tmp.resolve("data");
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("bootstrap-operator.key");
        Files.writeString(file, "lethe_bootstrap_another-databases-key\n");

        assertThatThrownBy(() -> start(dataDir, embedded(dataDir)))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("already exists")
                .hasMessageContaining("LETHE_BOOTSTRAP_KEY");

        assertThat(Files.readString(file)).isEqualTo("lethe_bootstrap_another-databases-key\n");
        // nothing was made: moved away, the next start makes the key and writes it
        Files.move(file, dataDir.resolve("kept-elsewhere.key"));
        try (var lethe = start(dataDir, embedded(dataDir))) {
            String key = Files.readString(file).strip();
            assertThat(lethe.newBootstrapKey()).contains(key);
            assertThat(accounts(lethe, key)).isEqualTo(200);
        }
    }
}
