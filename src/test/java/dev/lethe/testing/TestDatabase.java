package dev.lethe.testing;

import dev.lethe.storage.DatabaseSettings;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * One of the engines the tests run on. Each {@link #fresh()} is a new, empty database of its own:
 * an in-memory H2, or a new schema in the PostgreSQL named by LETHE_TEST_PG_URL, dropped on close.
 */
public record TestDatabase(String name, String baseUrl) {

    /** An isolated database for one test; close drops it. */
    public record Fresh(DatabaseSettings settings, Runnable drop) implements AutoCloseable {
        @Override
        public void close() {
            drop.run();
        }
    }

    public boolean isPostgres() {
        return baseUrl.startsWith("jdbc:postgresql:");
    }

    public Fresh fresh() {
        String id = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        if (!isPostgres()) {
            String url = "jdbc:h2:mem:" + id
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
            return new Fresh(new DatabaseSettings(url, null, null, 4), () -> execute(url, "shutdown"));
        }
        execute(baseUrl, "create schema " + id);
        // stringtype=unspecified as Lethe's pool sets it, so raw reads can compare ids given as text
        String url = baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + id + "&stringtype=unspecified";
        return new Fresh(
                new DatabaseSettings(url, null, null, 4), () -> execute(baseUrl, "drop schema " + id + " cascade"));
    }

    /** Runs one statement with a plain connection (for set-up, and for tampering in tests). */
    public static void execute(String url, String sql) {
        try (var c = DriverManager.getConnection(url);
                var s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "could not run '" + sql + "' on " + url.replaceAll("password=[^&;]*", "password=…"), e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
