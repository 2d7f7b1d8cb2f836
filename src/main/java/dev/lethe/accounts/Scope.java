package dev.lethe.accounts;

import java.util.Locale;

/**
 * What a key may do. {@code operator} runs the platform; {@code admin} does everything within its
 * account; {@code read} reads it; {@code ingest} only sends data in (write-only, safe to ship in a
 * web page).
 */
public enum Scope {
    OPERATOR,
    ADMIN,
    READ,
    INGEST;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope fromWire(String name) {
        for (Scope s : values()) if (s.wireName().equals(name)) return s;
        throw new IllegalArgumentException("unknown scope '" + name + "' (operator, admin, read, ingest)");
    }
}
