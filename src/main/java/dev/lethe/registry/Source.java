package dev.lethe.registry;

/** Where a category's values come from. */
public enum Source {
    USER_FORM("User-completed form"),
    API("API"),
    SOCIAL_NETWORK("Social network"),
    IMPORT("Import"),
    TRACKING("Tracking on the website or app");

    private final String words;

    Source(String words) {
        this.words = words;
    }

    public String words() {
        return words;
    }

    public String wireName() {
        return Wire.name(this);
    }
}
