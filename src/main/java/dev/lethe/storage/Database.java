package dev.lethe.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The one database Lethe keeps everything in: an embedded H2 file by default, PostgreSQL in
 * production. One set of Flyway migrations runs on both; H2 runs in its PostgreSQL mode so the
 * SQL in the stores is the same text for both.
 */
public final class Database implements AutoCloseable {

    /** Settings every H2 database is opened with; {@link #jdbcUrl} says why. */
    private static final List<String> H2_SETTINGS = List.of("WRITE_DELAY=0", "TRACE_LEVEL_FILE=0");

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final Optional<H2Housekeeping> housekeeping;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.housekeeping = H2Housekeeping.startFor(dataSource);
        this.jdbi = Jdbi.create(dataSource);
        // A failed statement's message must not carry its bound values into a log line.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        this.dialect = Dialect.of(dataSource.getJdbcUrl());
    }

    /** Opens the pool and brings the schema up to date. */
    public static Database open(DatabaseSettings settings) {
        var config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(settings.url()));
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
            return new Database(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** The JDBC URL of the embedded default: an H2 file under the data directory. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:"
                + dataDir.toAbsolutePath().resolve("lethe")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    /**
     * The URL the pool connects with: a PostgreSQL URL as given; an H2 URL, the embedded default's
     * or an operator's, with the settings Lethe's promises need in place of any it names.
     *
     * <p>{@code WRITE_DELAY=0}: a 2xx means committed (promise 10 in the README). By default H2's MVStore
     * keeps a commit in memory and a background thread writes it to the file up to half a second
     * later, so a kill -9 lost batches already answered 202 (about 1,500 of 3,560 events in the
     * kill test), with their audit entries. With a delay of 0, H2 writes the transaction's chunk to
     * the file before the commit returns ({@code TransactionStore.endTransaction} calls {@code
     * MVStore.commit()}, which waits for the store lock and for the write). The write reaches the
     * operating system's page cache, which outlives the process: a killed or crashed JVM loses
     * nothing it acknowledged. H2 does not fsync at commit (it forces the file only when it moves
     * chunks and on close), so a power loss or kernel crash can lose the commits of the last
     * seconds that the kernel had not yet written back (on Linux, dirty pages are written within
     * about 30 s); the file itself stays consistent, since H2 reopens at its newest complete chunk
     * and keeps older chunks for 45 s for that reason. Power-loss durability needs PostgreSQL (it
     * fsyncs its WAL at commit). The cost is measured in BENCHMARKS.md.
     *
     * <p>{@code TRACE_LEVEL_FILE=0}: H2 otherwise writes errors, with the SQL and sometimes the
     * values involved, to a {@code .trace.db} file beside the database: personal data at rest in
     * plaintext (promise 3).
     */
    static String jdbcUrl(String url) {
        if (Dialect.of(url) != Dialect.H2) return url;
        var parts = new StringJoiner(";");
        for (String part : url.split(";")) {
            if (H2_SETTINGS.stream().noneMatch(s -> sameSetting(s, part))) parts.add(part);
        }
        H2_SETTINGS.forEach(parts::add);
        return parts.toString();
    }

    private static boolean sameSetting(String setting, String part) {
        String key = setting.substring(0, setting.indexOf('=') + 1);
        return part.strip().toUpperCase(Locale.ROOT).startsWith(key);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * The connection pool, for a library that speaks JDBC itself (the job scheduler); Lethe's own
     * code goes through {@link #jdbi()}.
     */
    public DataSource dataSource() {
        return dataSource;
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
        try {
            housekeeping.ifPresent(H2Housekeeping::close);
        } finally {
            dataSource.close();
        }
    }
}
