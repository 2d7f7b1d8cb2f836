package dev.lethe.subjects;

import java.time.Instant;

/**
 * An identifier a subject holds, as stored: its kind and blind index (never the value), when the
 * subject first got it and when it was last given ({@code collectedAt}, from which its retention
 * counts).
 */
public record HeldIdentifier(IdentifierKind kind, String blindIndex, Instant firstCollectedAt, Instant collectedAt) {}
