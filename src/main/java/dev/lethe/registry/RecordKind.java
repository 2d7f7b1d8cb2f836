package dev.lethe.registry;

/** The kinds of stored records a retention rule can govern. */
public enum RecordKind {
    SESSION,
    SESSION_SUMMARY,
    EVENT,
    MESSAGE,
    MESSAGE_LOG,
    MEDIA,
    RECORDING,
    TRAFFIC,
    CAMPAIGN,
    ANALYTICS,
    PROFILE,
    DOCUMENT;

    public String wireName() {
        return Wire.name(this);
    }
}
