package dev.lethe.registry;

/** The consent purposes cookies are grouped by. */
public enum CookieCategory {
    REQUIRED("Required"),
    FUNCTIONALITY("Functionality"),
    PERFORMANCE("Performance"),
    TARGETING("Targeting or advertising");

    private final String words;

    CookieCategory(String words) {
        this.words = words;
    }

    public String words() {
        return words;
    }

    public String wireName() {
        return Wire.name(this);
    }
}
