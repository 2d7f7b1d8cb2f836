package dev.lethe.outbox;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A message to send, as a feature hands it to {@link Outbox#enqueue}. The recipient, the subject
 * line and the text are personal data: they are sealed before they are stored, never logged, and
 * {@link #toString} leaves them out. Checked here, so a message that could never be sent is
 * refused in the transaction that would have announced it.
 *
 * @param kind how it travels
 * @param to the recipient, one email address; for a webhook, {@code webhook:<id>} (an endpoint of
 *     the account, signed with its secret) or an http(s) URL (a subscriber's, unsigned)
 * @param subject the subject line, one line; for a webhook, the event name
 * @param text the plain-text body; for a webhook, the JSON body
 * @param purpose why it is sent, lower-case words with dashes, e.g. {@code verification-code} or
 *     {@code request-update}: shown in the outbox list and the audit, never personal
 */
public record OutboxMessage(MessageKind kind, String to, String subject, String text, String purpose) {

    /** The longest subject line accepted. */
    public static final int MAX_SUBJECT = 500;

    /** The longest text accepted (characters). */
    public static final int MAX_TEXT = 100_000;

    private static final Pattern PURPOSE = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    public OutboxMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(purpose, "purpose");
        if (purpose.length() > 64 || !PURPOSE.matcher(purpose).matches()) {
            throw new IllegalArgumentException("a purpose is 1..64 lower-case letters, digits and dashes");
        }
        if (subject.isBlank()
                || subject.length() > MAX_SUBJECT
                || subject.indexOf('\r') >= 0
                || subject.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a subject line is 1.." + MAX_SUBJECT + " characters on one line");
        }
        if (text.length() > MAX_TEXT)
            throw new IllegalArgumentException("a text is at most " + MAX_TEXT + " characters");
        if (kind == MessageKind.WEBHOOK) {
            if (!to.startsWith(ENDPOINT)
                    && !to.startsWith(SUBSCRIBER)
                    && !to.startsWith("https://")
                    && !to.startsWith("http://")) {
                throw new IllegalArgumentException(
                        "a webhook goes to an endpoint of the account, a subscriber or an http(s) URL");
            }
        } else if (!isAddress(to)) {
            // the address itself is personal: never in the message
            throw new IllegalArgumentException("the recipient is not one valid email address");
        }
    }

    /** An email. */
    public static OutboxMessage email(String to, String subject, String text, String purpose) {
        return new OutboxMessage(MessageKind.EMAIL, to, subject, text, purpose);
    }

    /** The prefix of a webhook recipient that is one of the account's endpoints. */
    public static final String ENDPOINT = "webhook:";

    /** A webhook to one of the account's endpoints, signed with its secret. */
    public static OutboxMessage webhook(String webhookId, String event, String json) {
        return new OutboxMessage(MessageKind.WEBHOOK, ENDPOINT + webhookId, event, json, "webhook");
    }

    /**
     * The prefix of a webhook recipient that is a confirmed subscriber to sub-processor changes:
     * its URL and secret are looked up at delivery ({@link Outbox#subscriberTargets}).
     */
    public static final String SUBSCRIBER = "subscriber:";

    /** A webhook to a confirmed subscriber, signed with the secret its confirmation gave it. */
    public static OutboxMessage webhookToSubscriber(String subscriptionId, String event, String json, String purpose) {
        return new OutboxMessage(MessageKind.WEBHOOK, SUBSCRIBER + subscriptionId, event, json, purpose);
    }

    /**
     * A webhook to a bare URL: not signed, for the one message sent before a secret exists (a
     * subscription's confirmation, whose only content is the confirmation link).
     */
    public static OutboxMessage webhookToUrl(String url, String event, String json, String purpose) {
        return new OutboxMessage(MessageKind.WEBHOOK, url, event, json, purpose);
    }

    /** One address, strictly parsed, with a domain. */
    public static boolean isAddress(String to) {
        try {
            var parsed = InternetAddress.parse(to, true);
            if (parsed.length != 1) return false;
            parsed[0].validate();
            return parsed[0].getAddress().indexOf('@') > 0;
        } catch (AddressException e) {
            return false;
        }
    }

    /** Kind and purpose only: the recipient, subject and text are personal. */
    @Override
    public String toString() {
        return "OutboxMessage[kind=" + kind.wireName() + ", purpose=" + purpose + "]";
    }
}
