package dev.lethe.storage;

import java.sql.SQLException;

/** What a database error means, by its SQL state (the same code on H2 and PostgreSQL). */
public final class SqlStates {

    /** A row would repeat a unique key (PostgreSQL unique_violation, H2 DUPLICATE_KEY_1). */
    private static final String UNIQUE_VIOLATION = "23505";

    private SqlStates() {}

    /** Whether the failure, or any cause of it, is a unique key a concurrent writer took first. */
    public static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause())
            if (t instanceof SQLException e && UNIQUE_VIOLATION.equals(e.getSQLState())) return true;
        return false;
    }
}
