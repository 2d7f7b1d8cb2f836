package dev.lethe.requests;

import java.io.IOException;
import java.util.Map;

/**
 * Where an access package is written as it is read: one format each. Records arrive kind by kind;
 * nothing is held beyond the record being written, so a package of any size streams.
 *
 * <p>A record's values are texts, numbers, booleans, instants, lists of texts and maps of texts,
 * keyed by the kind's columns (a missing key is no value).
 */
interface PackageSink extends AutoCloseable {

    void startKind(PackageKind kind) throws IOException;

    void record(Map<String, Object> record) throws IOException;

    void endKind() throws IOException;

    /** Finishes the package (the stream itself is the caller's). */
    @Override
    void close() throws IOException;
}
