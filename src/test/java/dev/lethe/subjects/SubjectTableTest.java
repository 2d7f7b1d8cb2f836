package dev.lethe.subjects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where a person lives is one registry ({@link SubjectTable}), read from the schema: a table that
 * refers to a subject and is not registered would be missed by merges and erasures, so it fails
 * the build the day it is added.
 */
class SubjectTableTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyTableThatRefersToASubjectIsRegisteredAndEveryRegisteredTableDoes(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            assertThat(problems(lethe.jdbcUrl())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aNewTableReferringToASubjectWithoutBeingRegisteredIsNamed(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            TestDatabase.execute(lethe.jdbcUrl(), """
                    create table stray_notes (account_id varchar(40) not null, subject_id varchar(40) not null,
                                              note_id varchar(40) not null, primary key (account_id, note_id))
                    """);
            TestDatabase.execute(lethe.jdbcUrl(), """
                    create table stray_links (account_id varchar(40) not null, owner_subject varchar(40) not null,
                                              primary key (account_id, owner_subject))
                    """);

            assertThat(problems(lethe.jdbcUrl()))
                    .containsExactlyInAnyOrder(
                            "stray_links: column owner_subject refers to a subject by another name than subject_id",
                            "stray_notes: refers to subjects (subject_id) but is not registered in SubjectTable");
        }
    }

    /** What the schema and the registry disagree on. */
    static List<String> problems(String jdbcUrl) {
        var columns = RawStorage.columns(jdbcUrl);
        var out = new ArrayList<String>();
        columns.forEach((table, names) -> {
            for (String column : names) {
                boolean refers = column.contains("subject");
                // the subjects table's own kind column names a subject type, not a subject
                boolean ownKind = table.equals("subjects") && column.equals("subject_type");
                if (refers && !ownKind && !column.equals("subject_id")) {
                    out.add(table + ": column " + column + " refers to a subject by another name than subject_id");
                }
            }
            if (names.contains("subject_id") && SubjectTable.of(table).isEmpty()) {
                out.add(table + ": refers to subjects (subject_id) but is not registered in SubjectTable");
            }
        });
        for (var registered : SubjectTable.values()) {
            var names = columns.get(registered.table());
            if (names == null) out.add(registered.table() + ": registered but not in the schema");
            else if (!names.contains("subject_id")) out.add(registered.table() + ": registered but has no subject_id");
        }
        return out;
    }
}
