package dev.lethe.outbox;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the outbox delivers and how long it keeps what it sent.
 *
 * @param smtp where to send; empty: nothing is sent and messages stay pending in the outbox
 * @param maxAttempts attempts before a message is marked failed
 * @param firstRetry the wait after the first failed attempt; it doubles after each further one, up
 *     to {@link #MAX_RETRY_WAIT}
 * @param keepContent how long the sealed content of a sent (or failed) message is kept; the row,
 *     without recipient or text, stays
 * @param deliveryInterval how often the outbox job looks for due messages
 */
public record OutboxSettings(
        Optional<Smtp> smtp, int maxAttempts, Duration firstRetry, Duration keepContent, Duration deliveryInterval) {

    /** The longest wait between two attempts, however many failed. */
    public static final Duration MAX_RETRY_WAIT = Duration.ofHours(6);

    /** No SMTP server; eight attempts a minute, 2, 4 … apart; content kept 30 days; a look every 10 s. */
    public static final OutboxSettings DEFAULT =
            new OutboxSettings(Optional.empty(), 8, Duration.ofMinutes(1), Duration.ofDays(30), Duration.ofSeconds(10));

    public OutboxSettings {
        Objects.requireNonNull(smtp, "smtp");
        if (maxAttempts < 1 || maxAttempts > 100) throw new IllegalArgumentException("max attempts must be 1..100");
        positive(firstRetry, "the first retry wait");
        positive(keepContent, "the content retention");
        positive(deliveryInterval, "the delivery interval");
    }

    /** The same settings, sending through this server. */
    public OutboxSettings withSmtp(Smtp server) {
        return new OutboxSettings(Optional.of(server), maxAttempts, firstRetry, keepContent, deliveryInterval);
    }

    /** The same settings with these attempts and first wait (tests fail fast). */
    public OutboxSettings withRetries(int attempts, Duration first) {
        return new OutboxSettings(smtp, attempts, first, keepContent, deliveryInterval);
    }

    /** The same settings, keeping content this long. */
    public OutboxSettings withKeepContent(Duration keep) {
        return new OutboxSettings(smtp, maxAttempts, firstRetry, keep, deliveryInterval);
    }

    /** The same settings, looking for due messages this often. */
    public OutboxSettings withDeliveryInterval(Duration interval) {
        return new OutboxSettings(smtp, maxAttempts, firstRetry, keepContent, interval);
    }

    /** How long to wait after the {@code attempts}-th failed attempt. */
    Duration retryWait(int attempts) {
        Duration wait = firstRetry;
        for (int i = 1; i < attempts && wait.compareTo(MAX_RETRY_WAIT) < 0; i++) wait = wait.multipliedBy(2);
        return wait.compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : wait;
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be longer than zero");
    }
}
