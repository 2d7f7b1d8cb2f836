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

    /**
     * Whether the failure is the database's and passing: the connection broke (SQL state class
     * 08), a transaction was rolled back for a deadlock or a serialization failure (class 40), a
     * lock or statement timed out (H2's HYT00, PostgreSQL's 55P03 and 57014), or the server is
     * shutting down (57P01..57P03). Work that records its steps can simply run again.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException)
                return true;
            if (t instanceof SQLException e && e.getSQLState() != null) {
                String state = e.getSQLState();
                if (state.startsWith("08")
                        || state.startsWith("40")
                        || state.equals("HYT00")
                        || state.equals("55P03")
                        || state.equals("57014")
                        || state.startsWith("57P0")) return true;
            }
        }
        return false;
    }

    /**
     * A failure as a log line may say it: its type and, for a database error, its SQL state —
     * never its message, which can quote a statement's values.
     */
    public static String describe(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && !(t instanceof java.sql.SQLException)) t = t.getCause();
        String state = t instanceof java.sql.SQLException s && s.getSQLState() != null
                ? " (SQL state " + s.getSQLState() + ")"
                : "";
        return failure.getClass().getSimpleName() + state;
    }
}
