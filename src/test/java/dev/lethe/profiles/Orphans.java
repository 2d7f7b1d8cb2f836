package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.subjects.SubjectTable;
import dev.lethe.testing.TestLethe;

/**
 * No row of any table in the subject registry refers to a subject that no longer exists, and
 * every subject has its key.
 */
final class Orphans {

    private Orphans() {}

    static void assertNone(TestLethe lethe, String accountId) {
        for (var table : SubjectTable.values()) {
            if (table == SubjectTable.SUBJECTS) continue;
            assertThat(lethe.count(
                            "select count(*) from " + table.table()
                                    + " t where t.account_id = ? and t.subject_id is not null and not exists ("
                                    + "select 1 from subjects s where s.account_id = t.account_id"
                                    + " and s.subject_id = t.subject_id)",
                            accountId))
                    .as("rows of %s on a subject that no longer exists", table.table())
                    .isZero();
        }
        assertThat(lethe.count("""
                        select count(*) from subjects s where s.account_id = ? and not exists (
                          select 1 from subject_keys k where k.account_id = s.account_id and k.subject_id = s.subject_id)
                        """, accountId)).as("subjects without a key").isZero();
    }
}
