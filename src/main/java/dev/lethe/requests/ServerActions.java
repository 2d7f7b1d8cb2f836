package dev.lethe.requests;

import dev.lethe.accounts.Caller;
import dev.lethe.consent.Consents;
import dev.lethe.erasure.Erasures;
import dev.lethe.outbox.Outbox;
import dev.lethe.outbox.OutboxMessage;
import dev.lethe.outbox.Webhooks;
import dev.lethe.values.Sensitive;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** A request's actions as this server carries them out: erasure, the consent ledger, the outbox. */
public record ServerActions(Erasures erasures, Consents consents, Outbox outbox, Webhooks webhooks)
        implements RequestActions {

    @Override
    public void announce(Handle h, String accountId, String event, java.util.Map<String, Object> data) {
        webhooks.notify(h, accountId, event, data);
    }

    @Override
    public Object erase(Handle h, Caller caller, String subjectId, String requestId) {
        return erasures.erase(h, caller, subjectId, Optional.of(requestId));
    }

    @Override
    public void withdrawConsent(Handle h, String accountId, String subjectId, Set<String> purposes, String source) {
        consents.withdraw(h, accountId, subjectId, purposes, source);
    }

    @Override
    public void email(
            Handle h, String accountId, String subjectId, Sensitive to, String subject, String text, String purpose) {
        outbox.enqueue(h, accountId, Optional.of(subjectId), OutboxMessage.email(to.value(), subject, text, purpose));
    }
}
