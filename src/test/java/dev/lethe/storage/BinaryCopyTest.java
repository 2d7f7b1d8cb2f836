package dev.lethe.storage;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.testing.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * COPY in binary format (PostgreSQL only): what goes in is what a JDBC insert of the same values
 * stores, including text COPY's text format would have to escape, NULLs, every byte value and
 * timestamps finer than a microsecond; and it is part of the caller's transaction.
 */
class BinaryCopyTest {

    private record Row(String text, Instant at, byte[] bytes) {}

    private static final List<Row> ROWS = rows();

    private static List<Row> rows() {
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) every[i] = (byte) i;
        return List.of(
                new Row("zebulon\t\\N\r\n\"x\" ü ✓ 🦘", Instant.parse("2026-01-15T09:00:00.000000500Z"), every),
                new Row("", Instant.parse("2026-01-15T09:00:00.000000499Z"), new byte[0]),
                new Row(null, Instant.parse("1999-12-31T23:59:59.999999500Z"), null),
                new Row("\\", null, new byte[] {'\\', 'x', '0', '0'}),
                new Row("far", Instant.parse("2999-06-30T12:34:56.123456789Z"), new byte[] {0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void copiedRowsReadBackExactlyAsRowsInsertedWithJdbc(TestDatabase engine) {
        assumeTrue(engine.isPostgres(), "COPY is PostgreSQL's");
        try (var db = engine.fresh()) {
            var jdbi = Jdbi.create(db.settings().url());
            jdbi.useHandle(h -> {
                for (String table : List.of("copied", "bound"))
                    h.execute("create table " + table + " (t varchar(200), at timestamp(6) with time zone, b bytea)");
            });

            jdbi.useTransaction(h -> {
                var copy = new BinaryCopy("copied", List.of("t", "at", "b"), ROWS.size());
                for (var r : ROWS) copy.row().text(r.text()).timestamp(r.at()).bytes(r.bytes());
                assertThat(copy.into(h)).isEqualTo(ROWS.size());
                for (var r : ROWS) {
                    h.createUpdate("insert into bound (t, at, b) values (:t, :at, :b)")
                            .bind("t", r.text())
                            .bind("at", utc(r.at()))
                            .bind("b", r.bytes())
                            .execute();
                }
            });

            var copied = read(jdbi, "copied");
            var bound = read(jdbi, "bound");
            assertThat(copied).hasSize(ROWS.size());
            for (int i = 0; i < ROWS.size(); i++) {
                assertThat(copied.get(i).text())
                        .isEqualTo(bound.get(i).text())
                        .isEqualTo(ROWS.get(i).text());
                assertThat(copied.get(i).at())
                        .as("row " + i)
                        .isEqualTo(bound.get(i).at());
                assertThat(Arrays.equals(copied.get(i).bytes(), bound.get(i).bytes()))
                        .as("row " + i)
                        .isTrue();
            }
            assertThat(copied.get(0).at()).isEqualTo(Instant.parse("2026-01-15T09:00:00.000001Z"));
            assertThat(copied.get(1).at()).isEqualTo(Instant.parse("2026-01-15T09:00:00Z"));
            assertThat(copied.get(2).at()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCopyIsUndoneWithTheTransactionItRanIn(TestDatabase engine) {
        assumeTrue(engine.isPostgres(), "COPY is PostgreSQL's");
        try (var db = engine.fresh()) {
            var jdbi = Jdbi.create(db.settings().url());
            jdbi.useHandle(h -> h.execute("create table copied (t varchar(200))"));

            assertThatThrownBy(() -> jdbi.useTransaction(h -> {
                        var copy = new BinaryCopy("copied", List.of("t"), 1);
                        copy.row().text("zebulon");
                        copy.into(h);
                        throw new IllegalStateException("a later statement of the ingest fails");
                    }))
                    .hasMessageContaining("later statement");

            int left = jdbi.withHandle(h -> h.createQuery("select count(*) from copied")
                    .mapTo(Integer.class)
                    .one());
            assertThat(left).isZero();
        }
    }

    private static List<Row> read(Jdbi jdbi, String table) {
        return jdbi.withHandle(h -> h.createQuery("select t, at, b from " + table + " order by ctid")
                .map((rs, ctx) -> new Row(rs.getString("t"), instant(rs, "at"), rs.getBytes("b")))
                .collect(java.util.stream.Collectors.toCollection(ArrayList::new)));
    }
}
