package dev.lethe.requests;

import dev.lethe.accounts.Caller;
import dev.lethe.values.Sensitive;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * What a request does in other features: erasing the person, withdrawing their consents, sending
 * them an email. Each is one call into the feature that owns it (erasure, the consent ledger, the
 * outbox), wired in {@code Lethe.java}; this package holds the request's rules, not theirs.
 */
public interface RequestActions {

    /**
     * Erases the person with a receipt in the caller's transaction, the one that marks the request
     * done ({@code Erasures.erase(h, caller, subjectId, Optional.of(requestId))}): the person's key
     * is destroyed exactly when the request is completed. Returns the receipt, answered as JSON.
     * Idempotent: erasing again gets the same receipt.
     */
    Object erase(Handle h, Caller caller, String subjectId, String requestId);

    /**
     * Stops processing for these purposes as a withdrawal of consent does, in the caller's
     * transaction ({@code Consents.withdraw(h, accountId, subjectId, purposes, source)}).
     */
    void withdrawConsent(Handle h, String accountId, String subjectId, Set<String> purposes, String source);

    /**
     * Queues an email to the person in the caller's transaction ({@code Outbox.enqueue(h,
     * accountId, Optional.of(subjectId), new OutboxMessage(EMAIL, to, subject, text, purpose))}), so
     * it is sent if and only if what it announces is committed.
     */
    void email(Handle h, String accountId, String subjectId, Sensitive to, String subject, String text, String purpose);

    /**
     * Announces an event of the request to the account's webhooks in the caller's transaction
     * ({@code Webhooks.notify}); {@code data} holds ids and counts only. Nothing by default.
     */
    default void announce(Handle h, String accountId, String event, java.util.Map<String, Object> data) {}

    /** Until the features are wired: each action is refused with a clear answer, and nothing changes. */
    RequestActions UNAVAILABLE = new RequestActions() {
        @Override
        public Object erase(Handle h, Caller caller, String subjectId, String requestId) {
            throw unavailable("Erasure");
        }

        @Override
        public void withdrawConsent(Handle h, String accountId, String subjectId, Set<String> purposes, String source) {
            throw unavailable("Consent withdrawal");
        }

        @Override
        public void email(
                Handle h,
                String accountId,
                String subjectId,
                Sensitive to,
                String subject,
                String text,
                String purpose) {
            throw unavailable("Sending email (the outbox)");
        }

        private static dev.lethe.errors.ConflictException unavailable(String what) {
            return new dev.lethe.errors.ConflictException(
                    what + " is not available on this server; nothing was changed.");
        }
    };
}
