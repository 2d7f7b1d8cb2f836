package dev.lethe.requests;

import java.io.IOException;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * A further kind of record another feature adds to access packages — the consent ledger's
 * consents, for one: its records for the person, written as they are read. Wired in
 * {@code Lethe.java}; the JSON Schema allows any such kind as a list of objects.
 */
public interface PackageSection {

    /** The kind: its name (a key of the JSON package, a CSV file), title and columns. */
    PackageKind kind();

    /** Gives each of the person's records to {@code out}, in the caller's read transaction. */
    void write(Handle h, String accountId, String subjectId, Out out) throws IOException;

    /** Takes one record at a time (see {@link PackageSink#record}). */
    @FunctionalInterface
    interface Out {
        void record(Map<String, Object> record) throws IOException;
    }
}
