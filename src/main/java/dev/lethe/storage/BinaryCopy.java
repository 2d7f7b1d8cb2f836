package dev.lethe.storage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;

/**
 * Rows for PostgreSQL's {@code COPY … FROM STDIN (FORMAT binary)}: a whole batch in one stream,
 * with no per-row statement for the server to parse, plan and acknowledge. It runs on the
 * handle's own connection, so it belongs to the caller's transaction like any insert and is
 * undone with it.
 *
 * <p>Binary rather than text, so nothing needs escaping: ciphertexts go as their bytes (not as
 * hex), and text the client chose (event types, field paths) cannot break a row. Timestamps are
 * rounded to the microsecond the way the JDBC driver rounds a bound timestamp, so a row written
 * here and a row bound by JDBC for the same instant hold the same time.
 *
 * <p>Only for columns of types text/varchar, uuid, boolean, integer, bigint, {@code timestamp with
 * time zone} and bytea, written in the order the constructor names them.
 */
public final class BinaryCopy {

    /**
     * Below this many rows a JDBC batch is about as fast; stores copy larger batches only, so
     * small ones keep the plainer path.
     */
    public static final int MIN_ROWS = 50;

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

    /** PostgreSQL counts timestamps in microseconds from 2000-01-01T00:00:00Z. */
    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private final String table;
    private final List<String> columns;
    private final ByteArrayOutputStream bytes;
    private final DataOutputStream out;
    private int fieldsLeft;
    private long rows;

    /** A copy into {@code table}'s {@code columns}, for about {@code expectedRows} rows. */
    public BinaryCopy(String table, List<String> columns, int expectedRows) {
        this.table = table;
        this.columns = List.copyOf(columns);
        this.bytes = new ByteArrayOutputStream(64 + expectedRows * 64 * columns.size());
        this.out = new DataOutputStream(bytes);
        write(() -> {
            out.write(SIGNATURE);
            out.writeInt(0); // flags: no OIDs
            out.writeInt(0); // no header extension
        });
    }

    /** Starts the next row; each of its fields follows, in column order. */
    public BinaryCopy row() {
        requireRowComplete();
        write(() -> out.writeShort(columns.size()));
        fieldsLeft = columns.size();
        rows++;
        return this;
    }

    /** A text or varchar field; null is NULL. */
    public BinaryCopy text(String value) {
        return field(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code uuid} field, from its text form; null is NULL. */
    public BinaryCopy uuid(String value) {
        if (value == null) return field(null);
        var id = UUID.fromString(value);
        next();
        write(() -> {
            out.writeInt(16);
            out.writeLong(id.getMostSignificantBits());
            out.writeLong(id.getLeastSignificantBits());
        });
        return this;
    }

    /** A {@code boolean} field. */
    public BinaryCopy bool(boolean value) {
        next();
        write(() -> {
            out.writeInt(1);
            out.writeByte(value ? 1 : 0);
        });
        return this;
    }

    /** An {@code integer} field. */
    public BinaryCopy int4(int value) {
        next();
        write(() -> {
            out.writeInt(4);
            out.writeInt(value);
        });
        return this;
    }

    /** A {@code bigint} field. */
    public BinaryCopy int8(long value) {
        next();
        write(() -> {
            out.writeInt(8);
            out.writeLong(value);
        });
        return this;
    }

    /** A {@code timestamp with time zone} field; null is NULL. */
    public BinaryCopy timestamp(Instant value) {
        if (value == null) return field(null);
        long micros =
                ChronoUnit.MICROS.between(POSTGRES_EPOCH, value.plusNanos(500).truncatedTo(ChronoUnit.MICROS));
        next();
        write(() -> {
            out.writeInt(8);
            out.writeLong(micros);
        });
        return this;
    }

    /** A bytea field; null is NULL. */
    public BinaryCopy bytes(byte[] value) {
        return field(value);
    }

    /**
     * Whether the handle's connection is PostgreSQL's, so a copy can run on it (stores that are not
     * told their dialect ask the connection).
     */
    public static boolean available(Handle h) {
        try {
            return h.getConnection().isWrapperFor(PGConnection.class);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Sends the rows on the handle's connection, in its transaction; returns how many were stored. */
    public long into(Handle h) {
        requireRowComplete();
        write(() -> out.writeShort(-1)); // end of data
        String sql = "copy " + table + " (" + String.join(", ", columns) + ") from stdin (format binary)";
        try {
            var copy = h.getConnection().unwrap(PGConnection.class).getCopyAPI();
            return copy.copyIn(sql, new ByteArrayInputStream(bytes.toByteArray()));
        } catch (SQLException e) {
            throw new IllegalStateException("copy into " + table + " failed (" + rows + " rows)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private BinaryCopy field(byte[] value) {
        next();
        write(() -> {
            if (value == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(value.length);
                out.write(value);
            }
        });
        return this;
    }

    private void next() {
        if (fieldsLeft == 0) throw new IllegalStateException("more fields than the " + columns.size() + " columns");
        fieldsLeft--;
    }

    private void requireRowComplete() {
        if (fieldsLeft != 0) throw new IllegalStateException(fieldsLeft + " fields missing in a row of " + table);
    }

    private interface Write {
        void run() throws IOException;
    }

    /** Writes to memory: the IOException of DataOutputStream's signatures cannot happen. */
    private static void write(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
