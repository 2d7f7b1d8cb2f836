package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Installation;
import dev.lethe.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A backup of an installation's database taken while no server runs, and its restore, as an
 * operator makes them: on H2 a copy of the embedded file; on PostgreSQL {@code pg_dump} of the
 * server's schema (custom format: tables, data, indexes, partitions, sequences) and, to restore,
 * the schema dropped and {@code pg_restore}d.
 */
abstract class Backup {

    /** Puts the backup back in place of the database; no server may run. */
    abstract void restore() throws Exception;

    /** Deletes the backup. */
    abstract void delete() throws IOException;

    /** Takes a backup of the installation's database now; no server may run. */
    static Backup of(Installation installation, TestDatabase engine) throws Exception {
        return engine.isPostgres() ? new Dump(installation) : new FileCopy(installation);
    }

    /** H2: the embedded file, copied. */
    private static final class FileCopy extends Backup {
        private final Path database;
        private final Path copy;

        FileCopy(Installation installation) throws IOException {
            this.database = installation.dataDir().resolve("lethe.mv.db");
            this.copy =
                    installation.dataDir().resolveSibling(installation.dataDir().getFileName() + "-backup.mv.db");
            Files.copy(database, copy, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        void restore() throws IOException {
            Files.copy(copy, database, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        void delete() throws IOException {
            Files.deleteIfExists(copy);
        }
    }

    /** PostgreSQL: pg_dump of the schema the server uses (its URL's currentSchema). */
    private static final class Dump extends Backup {
        private final Installation installation;
        private final Connection target;
        private final Path file;

        Dump(Installation installation) throws Exception {
            this.installation = installation;
            this.target = Connection.of(installation.jdbcUrl());
            this.file = Files.createTempFile("lethe-backup", ".dump");
            run(List.of("pg_dump", "--format=custom", "--schema=" + target.schema(), "--file=" + file));
        }

        @Override
        void restore() throws Exception {
            TestDatabase.execute(installation.jdbcUrl(), "drop schema " + target.schema() + " cascade");
            run(List.of("pg_restore", "--exit-on-error", file.toString()));
        }

        @Override
        void delete() throws IOException {
            Files.deleteIfExists(file);
        }

        private void run(List<String> command) throws Exception {
            var args = new ArrayList<>(command);
            args.addAll(List.of("--host=" + target.host(), "--port=" + target.port(), "--dbname=" + target.database()));
            if (target.user() != null) args.add("--username=" + target.user());
            var builder = new ProcessBuilder(args).redirectErrorStream(true);
            if (target.password() != null) builder.environment().put("PGPASSWORD", target.password());
            var process = builder.start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(command.get(0) + ": " + output).isZero();
        }
    }

    /** Where a PostgreSQL JDBC URL points: host, port, database, schema and credentials. */
    private record Connection(String host, int port, String database, String schema, String user, String password) {
        static Connection of(String jdbcUrl) {
            var uri = URI.create(jdbcUrl.substring("jdbc:".length()));
            Map<String, String> query = new HashMap<>();
            if (uri.getQuery() != null)
                for (String pair : uri.getQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) query.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            String schema = query.get("currentSchema");
            if (schema == null) throw new IllegalStateException("no currentSchema in the URL " + jdbcUrl);
            return new Connection(
                    uri.getHost() == null ? "localhost" : uri.getHost(),
                    uri.getPort() < 0 ? 5432 : uri.getPort(),
                    uri.getPath().substring(1),
                    schema,
                    query.get("user"),
                    query.get("password"));
        }
    }
}
