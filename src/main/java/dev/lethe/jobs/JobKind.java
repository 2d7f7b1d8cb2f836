package dev.lethe.jobs;

import java.util.Arrays;
import java.util.List;

/** What a governed job does. */
public enum JobKind {
    IMPORT("import"),
    EXPORT("export"),
    BULK_DELETION("bulk-deletion");

    /** The kinds as the API spells them. */
    public static final List<String> WIRE_NAMES =
            Arrays.stream(values()).map(JobKind::wireName).toList();

    private final String wireName;

    JobKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The kind the API or the table names; {@link IllegalArgumentException} for another name. */
    public static JobKind fromWire(String wire) {
        for (JobKind k : values()) if (k.wireName.equals(wire)) return k;
        throw new IllegalArgumentException("no job kind " + wire);
    }
}
