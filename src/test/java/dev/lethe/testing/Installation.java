package dev.lethe.testing;

import dev.lethe.storage.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What server processes come and go on: a data directory (master key, embedded database) and a
 * database. On H2 it is the embedded file in the data directory, as {@code lethe serve} makes it by
 * default (not an in-memory database: a crash test needs the file); on PostgreSQL a fresh schema,
 * dropped on close. Start as many {@link ServerProcess}es on it, one after the other, as a test
 * needs.
 */
public final class Installation implements AutoCloseable {

    private final Path dataDir;
    private final Optional<TestDatabase.Fresh> postgres;

    private Installation(Path dataDir, Optional<TestDatabase.Fresh> postgres) {
        this.dataDir = dataDir;
        this.postgres = postgres;
    }

    public static Installation on(TestDatabase engine) {
        try {
            var dataDir = Files.createTempDirectory("lethe-process");
            return new Installation(dataDir, engine.isPostgres() ? Optional.of(engine.fresh()) : Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server on this installation and returns once it listens. */
    public ServerProcess start() {
        return start(Map.of());
    }

    /** Starts a server with these settings in its environment ({@code LETHE_SWEEP_LEASE=PT2S}). */
    public ServerProcess start(Map<String, String> environment) {
        return ServerProcess.start(dataDir, postgres.map(p -> p.settings().url()), environment);
    }

    /** Starts a server whose heap is capped at {@code maxHeap} (-Xmx), to show a bound on memory. */
    public ServerProcess start(String maxHeap) {
        return ServerProcess.start(dataDir, postgres.map(p -> p.settings().url()), maxHeap);
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The JDBC URL of the database, for reading raw tables (on H2 only while no server runs). */
    public String jdbcUrl() {
        return postgres.map(p -> p.settings().url()).orElseGet(() -> Database.embeddedUrl(dataDir));
    }

    /** The first column of every row a query answers, as text, read with a plain connection. */
    public List<String> strings(String sql) {
        try (var c = DriverManager.getConnection(jdbcUrl());
                var s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            var out = new ArrayList<String>();
            while (rs.next()) out.add(rs.getString(1));
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not run '" + sql + "'", e);
        }
    }

    /** Drops the PostgreSQL schema and deletes the data directory; no server may run on it any more. */
    @Override
    public void close() {
        try {
            postgres.ifPresent(TestDatabase.Fresh::close);
        } finally {
            deleteDataDir();
        }
    }

    private void deleteDataDir() {
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (var path : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
