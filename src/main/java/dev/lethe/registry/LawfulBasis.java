package dev.lethe.registry;

/** GDPR Art. 6(1): the six lawful bases for processing personal data. */
public enum LawfulBasis {
    CONSENT("Consent of the data subject"),
    CONTRACT("Contractual necessity"),
    LEGAL_OBLIGATION("Legal obligation"),
    VITAL_INTERESTS("Vital interests"),
    PUBLIC_TASK("Public task"),
    LEGITIMATE_INTERESTS("Legitimate interest");

    private final String words;

    LawfulBasis(String words) {
        this.words = words;
    }

    /** How a notice says it. */
    public String words() {
        return words;
    }

    public String wireName() {
        return Wire.name(this);
    }
}
