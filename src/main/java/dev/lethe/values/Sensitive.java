package dev.lethe.values;

import java.util.Objects;

/**
 * A personal value in plaintext, in memory only. Its toString is redacted, so it cannot reach a
 * log line, an exception message or a debugger's summary by accident (promise 3).
 */
public record Sensitive(String value) {

    public Sensitive {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "Sensitive[redacted]";
    }
}
