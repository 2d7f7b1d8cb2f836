package dev.lethe.storage;

import java.util.Locale;

/** The two database engines Lethe runs on. Stores use it only where their SQL must differ. */
public enum Dialect {
    H2,
    POSTGRESQL;

    /** The folder of migrations written for this engine alone (db/migration/h2, …/postgresql). */
    String directory() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) return H2;
        if (jdbcUrl.startsWith("jdbc:postgresql:")) return POSTGRESQL;
        throw new IllegalArgumentException(
                "unsupported database URL (expected jdbc:h2:… or jdbc:postgresql:…): " + jdbcUrl);
    }
}
