package dev.lethe.registry;

/**
 * What ingest does with an event, identify or message that names an identifier of a person erased
 * a short while ago (a late or retried SDK batch): it never revives the person (DESIGN promise 2),
 * and this decides whether it is dropped or starts someone new.
 */
public enum AfterErasure {
    /** Not stored, and counted as {@code suppressed} in the ingest answer: the default. */
    DROP,
    /** Stored under a new subject with no link to the erased one. */
    NEW_SUBJECT;

    public String wireName() {
        return Wire.name(this);
    }
}
