package dev.lethe.notices;

import java.util.Locale;
import java.util.Optional;

/** The public notices Lethe prints from a policy (promise 5 in the README: notices cannot drift). */
public enum NoticeKind {
    /** How long each kind of record and each category of personal data is kept. */
    RETENTION("retention"),
    /** The sub-processors that receive personal data, where, why and under which safeguards. */
    SUBPROCESSORS("subprocessors"),
    /** The categories of personal data held, per subject type. */
    CATEGORIES("categories"),
    /** The cookies placed, grouped by consent purpose. */
    COOKIES("cookies");

    private final String wireName;

    NoticeKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name in URLs and JSON, e.g. {@code retention} in {@code /v1/notices/retention}. */
    public String wireName() {
        return wireName;
    }

    /** Reads a wire name (any case); empty when it names no notice. */
    public static Optional<NoticeKind> fromWire(String text) {
        if (text == null) return Optional.empty();
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        for (NoticeKind kind : values()) if (kind.wireName.equals(wanted)) return Optional.of(kind);
        return Optional.empty();
    }
}
