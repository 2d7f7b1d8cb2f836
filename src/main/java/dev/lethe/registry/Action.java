package dev.lethe.registry;

/** What happens to data when its retention period has run. */
public enum Action {
    /** Removed. */
    DELETE("deleted"),
    /** Only aggregates that identify no one are kept. */
    ANONYMISE("anonymised"),
    /** A complete session is replaced by its summary. */
    SUMMARISE("replaced by its summary");

    private final String words;

    Action(String words) {
        this.words = words;
    }

    public String words() {
        return words;
    }

    public String wireName() {
        return Wire.name(this);
    }
}
