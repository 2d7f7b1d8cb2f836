package dev.lethe.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The one database Lethe keeps everything in: an embedded H2 file by default, PostgreSQL in
 * production. One set of Flyway migrations runs on both; H2 runs in its PostgreSQL mode so the
 * SQL in the stores is the same text for both.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        // A failed statement's message must not carry its bound values into a log line.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        this.dialect = Dialect.of(dataSource.getJdbcUrl());
    }

    /** Opens the pool and brings the schema up to date. */
    public static Database open(DatabaseSettings settings) {
        var config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        if (settings.user() != null) config.setUsername(settings.user());
        if (settings.password() != null) config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setPoolName("lethe");
        if (Dialect.of(settings.url()) == Dialect.POSTGRESQL) {
            // PostgreSQL's error details quote the failing row; keep them out of exception messages.
            config.addDataSourceProperty("logServerErrorDetail", "false");
            // Ids are uuid columns and Lethe binds them as text: let the server type such
            // parameters from their column instead of insisting they are varchar.
            config.addDataSourceProperty("stringtype", "unspecified");
        }
        config.setAutoCommit(true);
        var dataSource = new HikariDataSource(config);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations(
                            "classpath:db/migration/common",
                            "classpath:db/migration/"
                                    + Dialect.of(settings.url()).directory())
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource);
    }

    /** The JDBC URL of the embedded default: an H2 file under the data directory. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:"
                + dataDir.toAbsolutePath().resolve("lethe")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** For health checks: true when a connection can be had and answers. */
    public boolean isUp() {
        try {
            return jdbi.withHandle(
                            h -> h.createQuery("select 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
