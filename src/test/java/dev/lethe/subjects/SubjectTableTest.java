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
            TestDatabase.execute(lethe.jdbcUrl(), """
                    create table stray_visits (account_id varchar(40) not null, profile_id varchar(40) not null,
                                               primary key (account_id, profile_id))
                    """);

            assertThat(problems(lethe.jdbcUrl()))
                    .containsExactlyInAnyOrder(
                            "stray_links: column owner_subject refers to a subject by another name than subject_id",
                            "stray_visits: column profile_id refers to a subject by another name than subject_id",
                            "stray_notes: refers to subjects (subject_id) but is not registered in SubjectTable");
        }
    }

    /**
     * The rule, strict: a column refers to a person when its name says subject, profile, visitor,
     * person, user, customer, contact or recipient; such a column must be {@code subject_id}, so
     * a table that can hold a person is found by that one name (and erased through the registry).
     * A blind index of a person's identifier ({@code …_index}) is allowed beside a {@code subject_id}.
     */
    private static final java.util.regex.Pattern PERSON =
            java.util.regex.Pattern.compile("subject|profile|visitor|person|user|customer|contact|recipient");

    /** What the schema and the registry disagree on. */
    static List<String> problems(String jdbcUrl) {
        var columns = RawStorage.columns(jdbcUrl);
        var out = new ArrayList<String>();
        columns.forEach((table, names) -> {
            for (String column : names) {
                boolean person = PERSON.matcher(column).find();
                // a blind index of a person's identifier (sessions.visitor_index) goes with its row,
                // which must then name its subject
                if (person && column.endsWith("_index")) {
                    if (!names.contains("subject_id"))
                        out.add(table + ": column " + column
                                + " is a person's blind index in a table without subject_id");
                    continue;
                }
                boolean refers = person;
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
