package dev.lethe.outbox;

import java.time.Instant;

/**
 * One outbox message as an admin sees it: what it is for and how its delivery goes. The recipient
 * is masked ({@code a***@example.com}) and the text is never shown; the subject line is, as the
 * admin needs it to tell messages apart. Once the content's retention ended, recipient and
 * subject line are null.
 *
 * @param id the message id
 * @param kind how it travels ({@code email})
 * @param purpose why it was sent, e.g. {@code verification-code}
 * @param subjectId the person it is about, or null for mail about nobody in the account's records
 * @param subjectLine the subject line, or null once the content is gone (or unreadable after an erasure)
 * @param recipient the recipient, masked; null when the subject line is
 * @param status pending, sent or failed
 * @param attempts delivery attempts so far
 * @param lastError why the last attempt failed, without any personal value; null after a success
 * @param createdAt when it was written, in the transaction of what it announces
 * @param sentAt when the SMTP server accepted it
 * @param nextAttemptAt when a pending message is tried next
 */
public record OutboxEntry(
        String id,
        String kind,
        String purpose,
        String subjectId,
        String subjectLine,
        String recipient,
        String status,
        int attempts,
        String lastError,
        Instant createdAt,
        Instant sentAt,
        Instant nextAttemptAt) {

    /**
     * The address with all but the first character of its local part hidden: enough for an admin
     * to tell two recipients of one domain apart, not enough to write to the person.
     */
    static String mask(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0) return "***";
        return address.charAt(0) + "***" + address.substring(at);
    }

    /**
     * A webhook's recipient: an endpoint's or subscriber's id as is, a URL without its path and
     * query.
     */
    static String maskUrl(String to) {
        if (to.startsWith(OutboxMessage.ENDPOINT) || to.startsWith(OutboxMessage.SUBSCRIBER)) return to;
        try {
            var uri = java.net.URI.create(to);
            return uri.getScheme() + "://" + uri.getHost() + "/***";
        } catch (IllegalArgumentException e) {
            return "***";
        }
    }
}
