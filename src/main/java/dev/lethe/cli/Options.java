package dev.lethe.cli;

import dev.lethe.storage.Database;
import dev.lethe.storage.DatabaseSettings;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** Settings shared by commands that open the database. Each has a flag and a variable. */
final class Options {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Z0-9_]+)");

    /**
     * The environment variable behind an option's default, if any. {@code option.defaultValue()} is
     * already interpolated (no "${env:" left in it), so read the declaration on the field.
     */
    static String environmentVariable(OptionSpec option) {
        if (!(option.userObject() instanceof AnnotatedElement field)) return null;
        Option declared = field.getAnnotation(Option.class);
        String d = declared == null ? null : declared.defaultValue();
        if (d == null) return null;
        var m = ENV.matcher(d);
        return m.find() ? m.group(1) : null;
    }

    /** Where the database and key files live. */
    static final class Storage {
        @Option(
                names = "--data-dir",
                defaultValue = "${env:LETHE_DATA_DIR:-./data}",
                description = "Directory for the embedded database and key files (env LETHE_DATA_DIR, default ./data).")
        Path dataDir;

        @Option(
                names = "--db-url",
                defaultValue = "${env:LETHE_DB_URL}",
                description =
                        "JDBC URL of the database; empty = embedded H2 under the data directory (env LETHE_DB_URL), e.g. jdbc:postgresql://127.0.0.1:5432/lethe.")
        String dbUrl;

        @Option(
                names = "--db-user",
                defaultValue = "${env:LETHE_DB_USER}",
                description = "Database user (env LETHE_DB_USER).")
        String dbUser;

        @Option(
                names = "--db-password",
                defaultValue = "${env:LETHE_DB_PASSWORD}",
                description = "Database password (env LETHE_DB_PASSWORD).")
        String dbPassword;

        @Option(
                names = "--db-pool-size",
                defaultValue = "${env:LETHE_DB_POOL_SIZE:-16}",
                description = "Connection pool size (env LETHE_DB_POOL_SIZE, default 16; serve needs at least"
                        + " 3 x (--job-threads - 1) + 6).")
        int dbPoolSize;

        @Option(
                names = "--erasure-journal",
                defaultValue = "${env:LETHE_ERASURE_JOURNAL}",
                description = "The erasure journal's file, kept where restoring a database backup cannot roll it back"
                        + " (env LETHE_ERASURE_JOURNAL; default erasure-journal in the data directory).")
        Path erasureJournal;

        DatabaseSettings database() {
            if (dbPoolSize < 1)
                throw new SettingException("--db-pool-size / LETHE_DB_POOL_SIZE must be at least 1, not " + dbPoolSize);
            String url = dbUrl == null || dbUrl.isBlank() ? Database.embeddedUrl(dataDir) : dbUrl.strip();
            if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
                throw new SettingException("--db-url / LETHE_DB_URL must be a jdbc:postgresql:… or jdbc:h2:… URL");
            }
            return new DatabaseSettings(url, blankToNull(dbUser), blankToNull(dbPassword), dbPoolSize);
        }

        Path dataDir() {
            return dataDir;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
