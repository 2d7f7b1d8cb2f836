package dev.lethe.outbox;

/**
 * How an outbox message travels. Stored by its {@link #wireName} in {@code outbox.kind}; a kind
 * added later (webhooks) gets its own delivery, and the table's check constraint grows with it.
 */
public enum MessageKind {
    /** An email sent by SMTP. */
    EMAIL,
    /** A signed JSON POST to a webhook endpoint (docs/webhooks.md). */
    WEBHOOK;

    /** The name stored and shown in the API. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static MessageKind fromWire(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
