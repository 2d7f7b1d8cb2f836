package dev.lethe.subjects;

import java.util.Optional;

/**
 * Where a person lives: every table that refers to a data subject, with what a merge and an
 * erasure do with its rows. A reference to a subject is always a column named {@code subject_id}
 * (a test reads the schema and fails on a table that has one and is not listed here, or on a
 * column that refers to a subject by another name). Merges ({@code ProfileMerge}) and removals
 * ({@link SubjectRemoval}: retention, erasure and its receipt) walk this list in order, each with a
 * {@code switch} over every constant: a table added here without a merge and a removal path does
 * not compile, and a table added to the schema without being added here fails the build.
 *
 * <p>The order is the order a merge works in: the erasure record first (an erased person is never
 * merged), rows that refer to the subject next, then its keys, the subject's own row last.
 */
public enum SubjectTable {
    ERASURES("erasures", "the record that the person was erased: ids, counts and state, no personal value"),
    IDENTIFIERS("identifiers", "blind indexes of the person's email, phone, external id and devices"),
    PERSONAL_VALUES("personal_values", "every personal value, sealed under the person's key"),
    EVENTS("events", "tracked events (ids, times, types; their values are personal_values)"),
    SESSIONS("sessions", "visits and their summaries' counts"),
    MESSAGES("messages", "messages sent to or by the person (routing attributes; content is personal_values)"),
    CONVERSATIONS("conversations", "when each of the person's conversations started (its id only as a blind index)"),
    GOAL_HITS("goal_hits", "goals the person achieved"),
    FIELD_VALUES("field_values", "blind indexes of filterable custom field values, for list filters"),
    PROFILE_TAGS("profile_tags", "blind indexes of the person's tags, for list filters"),
    OUTBOX("outbox", "mail to the person waiting or sent (recipient and text sealed under the person's key)"),
    LEGAL_HOLDS("legal_holds", "legal holds that keep the person's data past its time"),
    CONSENTS(
            "consents",
            "the person's consents and withdrawals: policy version, source, proof (a keyed hash of the address)"),
    CONSENT_PURPOSES("consent_purposes", "the purposes of each consent, granted or not"),
    CONSENT_MINORS("consent_minors", "the year the person comes of digital age, when they are a minor"),
    REQUESTS("requests", "the person's data-subject requests (ids, types, states and dates; no personal value)"),
    EXPORT_SUBJECTS(
            "export_subjects",
            "exports whose file holds the person (ids only): erasing the person withdraws those files"),
    SUBJECT_KEYS("subject_keys", "the person's key, under which every personal value is sealed"),
    SUBJECTS("subjects", "the person: type, first and last seen");

    private final String table;
    private final String holds;

    SubjectTable(String table, String holds) {
        this.table = table;
        this.holds = holds;
    }

    /** The table's name in the schema. */
    public String table() {
        return table;
    }

    /** What the table holds about a person, in words for a receipt or a reviewer. */
    public String holds() {
        return holds;
    }

    /**
     * Why an erasure keeps this table's rows of the person, or empty when it deletes them. Legal
     * holds and the erasure record are kept; requests and consent proof will be, each with its
     * reason here.
     */
    public Optional<String> keptOnErasureBecause() {
        return switch (this) {
            case ERASURES ->
                Optional.of(
                        "the erasure's own record (ids and counts): it answers the receipt and keeps the person erased");
            case LEGAL_HOLDS ->
                Optional.of("a hold is the record of why held data was kept; it holds no personal value");
            case REQUESTS ->
                Optional.of(
                        "a request is the record of a right exercised and answered (GDPR Art. 5(2)); it holds no personal value");
            default -> Optional.empty();
        };
    }

    /** The entry for a table name, if the table refers to subjects. */
    public static Optional<SubjectTable> of(String table) {
        for (var t : values()) {
            if (t.table.equalsIgnoreCase(table)) return Optional.of(t);
        }
        return Optional.empty();
    }
}
