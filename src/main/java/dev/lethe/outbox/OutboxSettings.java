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
 * @param webhooks how webhooks are sent, and where links in messages point
 */
public record OutboxSettings(
        Optional<Smtp> smtp,
        int maxAttempts,
        Duration firstRetry,
        Duration keepContent,
        Duration deliveryInterval,
        Webhooks webhooks) {

    /**
     * How webhooks are sent (docs/webhooks.md).
     *
     * @param allowPrivate whether a webhook may point at a loopback, private or link-local address
     *     (off by default: an account's admin must not make the server call its own network)
     * @param timeout how long to wait to connect and for the answer
     * @param publicUrl where this server is reached from outside, the start of every link in a
     *     message (confirm, unsubscribe); no trailing slash
     */
    public record Webhooks(boolean allowPrivate, Duration timeout, String publicUrl) {

        /** Public addresses only, 10 s, links to http://localhost:8080. */
        public static final Webhooks DEFAULT = new Webhooks(false, Duration.ofSeconds(10), "http://localhost:8080");

        public Webhooks {
            positive(timeout, "the webhook timeout");
            Objects.requireNonNull(publicUrl, "publicUrl");
            if (!publicUrl.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?") || publicUrl.endsWith("/")) {
                throw new IllegalArgumentException(
                        "the public URL must be http(s)://host[:port][/path], without a trailing slash");
            }
        }

        public Webhooks withAllowPrivate(boolean allow) {
            return new Webhooks(allow, timeout, publicUrl);
        }

        public Webhooks withPublicUrl(String url) {
            return new Webhooks(allowPrivate, timeout, url);
        }

        // here rather than in OutboxSettings: calling the outer class from this constructor would
        // initialise it, whose DEFAULT needs this class's DEFAULT, not made yet (a cycle)
        private static void positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be longer than zero");
        }
    }

    /** The longest wait between two attempts, however many failed. */
    public static final Duration MAX_RETRY_WAIT = Duration.ofHours(6);

    /** No SMTP server; eight attempts a minute, 2, 4 … apart; content kept 30 days; a look every 10 s. */
    public static final OutboxSettings DEFAULT = new OutboxSettings(
            Optional.empty(), 8, Duration.ofMinutes(1), Duration.ofDays(30), Duration.ofSeconds(10), Webhooks.DEFAULT);

    public OutboxSettings {
        Objects.requireNonNull(smtp, "smtp");
        if (maxAttempts < 1 || maxAttempts > 100) throw new IllegalArgumentException("max attempts must be 1..100");
        positive(firstRetry, "the first retry wait");
        positive(keepContent, "the content retention");
        positive(deliveryInterval, "the delivery interval");
        Objects.requireNonNull(webhooks, "webhooks");
    }

    /** The same settings, sending webhooks so. */
    public OutboxSettings withWebhooks(Webhooks value) {
        return new OutboxSettings(smtp, maxAttempts, firstRetry, keepContent, deliveryInterval, value);
    }

    /** The same settings, sending through this server. */
    public OutboxSettings withSmtp(Smtp server) {
        return new OutboxSettings(
                Optional.of(server), maxAttempts, firstRetry, keepContent, deliveryInterval, webhooks);
    }

    /** The same settings with these attempts and first wait (tests fail fast). */
    public OutboxSettings withRetries(int attempts, Duration first) {
        return new OutboxSettings(smtp, attempts, first, keepContent, deliveryInterval, webhooks);
    }

    /** The same settings, keeping content this long. */
    public OutboxSettings withKeepContent(Duration keep) {
        return new OutboxSettings(smtp, maxAttempts, firstRetry, keep, deliveryInterval, webhooks);
    }

    /** The same settings, looking for due messages this often. */
    public OutboxSettings withDeliveryInterval(Duration interval) {
        return new OutboxSettings(smtp, maxAttempts, firstRetry, keepContent, interval, webhooks);
    }

    /** How long to wait after the {@code attempts}-th failed attempt. */
    Duration retryWait(int attempts) {
        Duration wait = firstRetry;
        for (int i = 1; i < attempts && wait.compareTo(MAX_RETRY_WAIT) < 0; i++) wait = wait.multipliedBy(2);
        return wait.compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : wait;
    }

    private static void positive(Duration d, String what) {
        Webhooks.positive(d, what);
    }
}
