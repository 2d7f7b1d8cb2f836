package dev.lethe.cli;

import dev.lethe.imports.Imports;
import dev.lethe.storage.BinaryCopy;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What PostgreSQL alone takes to write the rows an import of N people writes (a subject, its key,
 * its identifiers, its sealed values, its preview row), so the bench can say how close the import
 * is to what the database itself allows for this data model. A plain two-column table is not that
 * floor: the real rows are wider and go into tables with several indexes and foreign keys.
 *
 * <p>The shapes (how many rows of each kind per person, and the lengths of their ciphertexts,
 * wrapped keys, blind indexes and preview texts) are read from the rows the import just wrote; the
 * rows are then written again, with fresh ids and random bytes of those lengths, into copies of the
 * real tables ({@code like … including all}: indexes, defaults, checks, identity; the foreign keys
 * are added from the real tables' definitions) in a scratch schema that is dropped after. Both
 * passes go as binary COPY in steps of the import's step size, each step committed: first the
 * preview's rows, then the commit's, as the import does.
 */
final class ImportFloor {

    private static final String SCHEMA = "bench_floor";
    private static final List<String> TABLES =
            List.of("subjects", "subject_keys", "identifiers", "personal_values", "import_rows");

    private final Connection connection;
    private final PrintWriter out;
    private final SplittableRandom random = new SplittableRandom(42);

    ImportFloor(Connection connection, PrintWriter out) {
        this.connection = connection;
        this.out = out;
    }

    /**
     * The preview's rows of import {@code jobId} (read before the commit, which deletes them), by
     * action: how many, and their texts' average lengths.
     */
    static List<Shape> previewShapes(Connection connection, String jobId) {
        try (var h = Jdbi.open(connection)) {
            return h.createQuery("select action, count(*), avg(length(fields)), avg(length(errors))"
                            + " from import_rows where job_id = cast(:j as uuid) group by action")
                    .bind("j", jobId)
                    .map((rs, ctx) ->
                            new Shape(List.of(rs.getString(1)), rs.getLong(2), (int) Math.round(rs.getDouble(3)), (int)
                                    Math.round(rs.getDouble(4))))
                    .list();
        }
    }

    /**
     * A kind of row the import wrote, with how many per person (or in all, as read from the
     * preview) and its sizes.
     */
    record Shape(List<Object> labels, double perPerson, int bytes, int extra) {}

    /**
     * Writes {@code people} people's worth of the rows import {@code jobId} wrote (its subjects
     * created between {@code from} and {@code to}), and prints the times beside the import's own
     * ({@code previewSecs}, {@code commitSecs}); {@code previewCounts} are {@link #previewShapes}.
     */
    void run(String jobId, List<Shape> previewCounts, Instant from, Instant to, double previewSecs, double commitSecs) {
        try (Handle h = Jdbi.open(connection)) {
            String account = h.createQuery(
                            "select cast(account_id as varchar) from jobs where job_id = cast(:j as uuid)")
                    .bind("j", jobId)
                    .mapTo(String.class)
                    .one();
            // the import's people: the profiles created while it ran
            String people = "select subject_id from subjects where account_id = cast(:a as uuid) and identified"
                    + " and created_at between :from and :to";
            long n = h.createQuery("select count(*) from (" + people + ") p")
                    .bind("a", account)
                    .bind("from", Timestamp.from(from))
                    .bind("to", Timestamp.from(to))
                    .mapTo(Long.class)
                    .one();
            if (n == 0) {
                out.println("database floor: not measured (no profiles of the import found)");
                return;
            }
            var subjects = shapes(h, account, from, to, n, """
                    select subject_type, count(*), 0, 0 from subjects
                    where subject_id in (%s) and account_id = cast(:a as uuid) group by subject_type""".formatted(people));
            var keys = shapes(h, account, from, to, n, """
                    select epoch, count(*), avg(octet_length(wrapped)), 0 from subject_keys
                    where subject_id in (%s) and account_id = cast(:a as uuid) group by epoch""".formatted(people));
            var identifiers = shapes(h, account, from, to, n, """
                    select kind, count(*), avg(length(blind_index)), 0 from identifiers
                    where subject_id in (%s) and account_id = cast(:a as uuid) group by kind""".formatted(people));
            var values = shapes(h, account, from, to, n, """
                    select category, field, record_kind, record_id is not null, rule_kind, count(*),
                      avg(octet_length(ciphertext)), 0
                    from personal_values where subject_id in (%s) and account_id = cast(:a as uuid)
                    group by category, field, record_kind, record_id is not null, rule_kind""".formatted(people));
            var preview = previewCounts.stream()
                    .map(c -> new Shape(c.labels(), c.perPerson() / n, c.bytes(), c.extra()))
                    .toList();
            String foreignKeys = copyTables(h);
            try {
                int people32 = (int) n;
                long t0 = System.nanoTime();
                writePreview(h, account, jobId, people32, preview);
                long previewed = System.nanoTime();
                writeCommit(h, account, people32, subjects, keys, identifiers, values);
                long committed = System.nanoTime();
                double p = (previewed - t0) / 1e9;
                double c = (committed - previewed) / 1e9;
                out.printf(
                        "database floor: the import's own rows for %,d people written by PostgreSQL alone (copies of %s"
                                + " with their indexes%s, binary COPY in steps of %,d people, each committed);"
                                + " per person: %s%n",
                        n,
                        String.join(", ", TABLES),
                        foreignKeys,
                        Imports.BATCH,
                        describe(subjects, keys, identifiers, values, preview));
                out.printf(
                        "  floor, preview's part (import_rows alone): %.2f s = %,.0f people/s; the import's preview takes %.1fx%n",
                        p, n / p, previewSecs / p);
                out.printf(
                        "  floor, commit's part (subjects, subject_keys, identifiers, personal_values): %.2f s = %,.0f"
                                + " people/s (COPY into subjects %.2f s, subject_keys %.2f s, identifiers %.2f s,"
                                + " personal_values %.2f s); the import's commit takes %.1fx%n",
                        c, n / c, sent[0] / 1e9, sent[1] / 1e9, sent[2] / 1e9, sent[3] / 1e9, commitSecs / c);
                out.printf(
                        "  floor, both: %.2f s = %,.0f people/s; the import (preview + commit) takes %.1fx%n",
                        p + c, n / (p + c), (previewSecs + commitSecs) / (p + c));
            } finally {
                h.execute("drop schema if exists " + SCHEMA + " cascade");
            }
        }
    }

    private List<Shape> shapes(Handle h, String account, Instant from, Instant to, long n, String sql) {
        return h.createQuery(sql)
                .bind("a", account)
                .bind("from", Timestamp.from(from))
                .bind("to", Timestamp.from(to))
                .map((rs, ctx) -> {
                    int columns = rs.getMetaData().getColumnCount();
                    var labels = new ArrayList<Object>();
                    for (int i = 1; i <= columns - 3; i++) labels.add(rs.getObject(i));
                    return new Shape(
                            labels,
                            rs.getLong(columns - 2) / (double) n,
                            (int) Math.round(rs.getDouble(columns - 1)),
                            (int) Math.round(rs.getDouble(columns)));
                })
                .list();
    }

    /**
     * The scratch copies of the tables; answers what is said of their foreign keys. The foreign
     * keys point at the real tables (accounts, account keys, jobs), so each row checks them as the
     * import's rows do.
     */
    private String copyTables(Handle h) {
        h.execute("drop schema if exists " + SCHEMA + " cascade");
        h.execute("create schema " + SCHEMA);
        int keys = 0;
        for (String table : TABLES) {
            h.execute("create table " + SCHEMA + "." + table + " (like public." + table + " including all)");
            var defs = h.createQuery("select pg_get_constraintdef(oid) from pg_constraint"
                            + " where conrelid = cast(:t as regclass) and contype = 'f'")
                    .bind("t", "public." + table)
                    .mapTo(String.class)
                    .list();
            for (String def : defs) {
                // the referenced tables named as in public, whatever the search path
                h.execute("alter table " + SCHEMA + "." + table + " add "
                        + def.replaceFirst("REFERENCES (?!public\\.)", "REFERENCES public."));
                keys++;
            }
        }
        return keys == 0 ? "; foreign keys not copied" : ", checks and " + keys + " foreign keys";
    }

    private void writePreview(Handle h, String account, String jobId, int people, List<Shape> preview) {
        long rowNo = 0;
        for (int from = 0; from < people; from += Imports.BATCH) {
            int size = Math.min(Imports.BATCH, people - from);
            h.begin();
            var copy = new BinaryCopy(
                    SCHEMA + ".import_rows",
                    List.of("account_id", "job_id", "row_no", "action", "fields", "errors"),
                    size);
            for (int i = 0; i < size; i++)
                for (var shape : preview)
                    for (int k = 0; k < rows(shape, from + i); k++)
                        copy.row()
                                .uuid(account)
                                .uuid(jobId)
                                .int8(++rowNo)
                                .text((String) shape.labels().getFirst())
                                .text(text(shape.bytes()))
                                .text(text(shape.extra()));
            copy.into(h);
            h.commit();
        }
    }

    /** Per table of the commit's part, the time its COPY statements took (sending and storing). */
    private final long[] sent = new long[4];

    private static long timed(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private void writeCommit(
            Handle h,
            String account,
            int people,
            List<Shape> subjectShapes,
            List<Shape> keyShapes,
            List<Shape> identifierShapes,
            List<Shape> valueShapes) {
        for (int from = 0; from < people; from += Imports.BATCH) {
            int size = Math.min(Imports.BATCH, people - from);
            Instant at = Instant.now();
            h.begin();
            var ids = new String[size];
            for (int i = 0; i < size; i++) ids[i] = uuid();
            var subjects = new BinaryCopy(
                    SCHEMA + ".subjects",
                    List.of(
                            "account_id",
                            "subject_id",
                            "subject_type",
                            "identified",
                            "created_at",
                            "first_seen_at",
                            "last_seen_at"),
                    size);
            var keys = new BinaryCopy(
                    SCHEMA + ".subject_keys",
                    List.of("account_id", "key_id", "subject_id", "sealing", "epoch", "wrapped", "created_at"),
                    size);
            var identifiers = new BinaryCopy(
                    SCHEMA + ".identifiers",
                    List.of("account_id", "kind", "blind_index", "subject_id", "created_at", "collected_at"),
                    size);
            var values = new BinaryCopy(
                    SCHEMA + ".personal_values",
                    List.of(
                            "account_id",
                            "category",
                            "collected_at",
                            "value_id",
                            "subject_id",
                            "field",
                            "record_kind",
                            "record_id",
                            "rule_kind",
                            "anchor_at",
                            "key_id",
                            "ciphertext"),
                    size * 2);
            var keyIds = new String[size];
            for (int i = 0; i < size; i++) {
                int person = from + i;
                for (var shape : subjectShapes)
                    for (int k = 0; k < rows(shape, person); k++)
                        subjects.row()
                                .uuid(account)
                                .uuid(ids[i])
                                .text((String) shape.labels().getFirst())
                                .bool(true)
                                .timestamp(at)
                                .timestamp(at)
                                .timestamp(at);
                for (var shape : keyShapes)
                    for (int k = 0; k < rows(shape, person); k++) {
                        keyIds[i] = uuid();
                        keys.row()
                                .uuid(account)
                                .uuid(keyIds[i])
                                .uuid(ids[i])
                                .bool(true)
                                .int4(((Number) shape.labels().getFirst()).intValue())
                                .bytes(bytes(shape.bytes()))
                                .timestamp(at);
                    }
            }
            sent[0] += timed(() -> subjects.into(h));
            sent[1] += timed(() -> keys.into(h));
            for (int i = 0; i < size; i++)
                for (var shape : identifierShapes)
                    for (int k = 0; k < rows(shape, from + i); k++)
                        identifiers
                                .row()
                                .uuid(account)
                                .text((String) shape.labels().getFirst())
                                .text(hex(shape.bytes()))
                                .uuid(ids[i])
                                .timestamp(at)
                                .timestamp(at);
            sent[2] += timed(() -> identifiers.into(h));
            for (int i = 0; i < size; i++)
                for (var shape : valueShapes)
                    for (int k = 0; k < rows(shape, from + i); k++) {
                        var l = shape.labels();
                        values.row()
                                .uuid(account)
                                .text((String) l.get(0))
                                .timestamp(at)
                                .uuid(uuid())
                                .uuid(ids[i])
                                .text((String) l.get(1))
                                .text((String) l.get(2))
                                .uuid(Boolean.TRUE.equals(l.get(3)) ? uuid() : null)
                                .text((String) l.get(4))
                                .timestamp(at)
                                .uuid(keyIds[i] == null ? uuid() : keyIds[i])
                                .bytes(bytes(shape.bytes()));
                    }
            sent[3] += timed(() -> values.into(h));
            h.commit();
        }
    }

    /**
     * How many rows of a shape person {@code person} has: its rate per person spread evenly (a
     * shape of 0.5 per person is every other person's).
     */
    private static int rows(Shape shape, int person) {
        return (int)
                (Math.floor((person + 1) * shape.perPerson() + 1e-9) - Math.floor(person * shape.perPerson() + 1e-9));
    }

    private String describe(
            List<Shape> subjects, List<Shape> keys, List<Shape> ids, List<Shape> values, List<Shape> preview) {
        var parts = new ArrayList<String>();
        subjects.forEach(s -> parts.add(
                "%.2f subject (%s)".formatted(s.perPerson(), s.labels().getFirst())));
        keys.forEach(s -> parts.add("%.2f key (wrapped %d B)".formatted(s.perPerson(), s.bytes())));
        ids.forEach(s -> parts.add("%.2f identifier (%s, blind index %d chars)"
                .formatted(s.perPerson(), s.labels().getFirst(), s.bytes())));
        values.forEach(s -> parts.add(
                "%.2f value (%s, %d B)".formatted(s.perPerson(), s.labels().get(1), s.bytes())));
        preview.forEach(s -> parts.add("%.2f preview row (%s, %d + %d chars)"
                .formatted(s.perPerson(), s.labels().getFirst(), s.bytes(), s.extra())));
        return String.join(", ", parts);
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private byte[] bytes(int length) {
        var b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) random.nextInt(256);
        return b;
    }

    private String hex(int length) {
        var s = new StringBuilder(length);
        for (int i = 0; i < length; i++) s.append(Character.forDigit(random.nextInt(16), 16));
        return s.toString();
    }

    /** Letters: the preview's texts are JSON of cells, stored as text. */
    private String text(int length) {
        var s = new StringBuilder(length);
        for (int i = 0; i < length; i++) s.append((char) ('a' + random.nextInt(26)));
        return s.toString();
    }
}
