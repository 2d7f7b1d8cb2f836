package dev.lethe.subjects;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What removing a data subject did, table by table, so a receipt (an erasure's) or a report (a
 * retention sweep's) can say it: how many rows each table of {@link SubjectTable} lost, zeros
 * included, in the registry's order; how many values of held categories stayed, per legal hold;
 * and whether a key was destroyed. Counts and ids only: nothing here is a personal value.
 *
 * @param subjectId the subject removed
 * @param deleted every table of {@link SubjectTable}, in its order → rows deleted; for {@link
 *     SubjectTable#SUBJECT_KEYS} the keys destroyed, for a table whose rows are kept ({@link
 *     SubjectTable#keptOnErasureBecause}) zero
 * @param keptByHold hold id → values kept because that hold keeps their category; empty when
 *     nothing was held
 * @param keyDestroyed whether a key of the subject was destroyed (false when it had none left)
 */
public record Removal(
        String subjectId, Map<SubjectTable, Integer> deleted, Map<String, Integer> keptByHold, boolean keyDestroyed) {

    public Removal {
        var tables = new EnumMap<SubjectTable, Integer>(SubjectTable.class);
        for (var table : SubjectTable.values()) tables.put(table, deleted.getOrDefault(table, 0));
        deleted = Collections.unmodifiableMap(tables);
        keptByHold = Collections.unmodifiableMap(new LinkedHashMap<>(keptByHold));
    }

    /** Rows deleted in all tables together (keys destroyed included). */
    public int total() {
        return deleted.values().stream().mapToInt(Integer::intValue).sum();
    }
}
