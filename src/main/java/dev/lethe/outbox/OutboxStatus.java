package dev.lethe.outbox;

import java.util.Locale;

/** Where a message is: waiting (and maybe being retried), delivered, or given up on. */
public enum OutboxStatus {
    PENDING,
    SENT,
    FAILED;

    /** The name stored and shown in the API. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static OutboxStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
