package dev.lethe.audit;

import dev.lethe.errors.FieldError;
import dev.lethe.storage.Cursors;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Filters for reading the log; null means "any". Entries come in chain order after {@code
 * afterSeq}. A page's cursor holds the last sequence number it listed, bound to these filters
 * (not to the limit).
 */
public record AuditQuery(
        Instant from, Instant to, String actor, String action, String target, long afterSeq, int limit) {

    public AuditQuery {
        if (limit < 1 || limit > 1000) throw new IllegalArgumentException("limit must be 1..1000");
        if (afterSeq < 0) throw new IllegalArgumentException("afterSeq must not be negative");
    }

    /** The cursor of a page of the account's log whose last entry has this sequence number. */
    String cursorAfter(String accountId, long seq) {
        return Cursors.seal(filters(accountId), List.of(Long.toString(seq)));
    }

    /**
     * The sequence number a cursor of these filters on the account's log continues after; empty
     * for a cursor of other filters or another account, an altered one, or any other text.
     */
    public Optional<Long> position(String accountId, String cursor) {
        try {
            return Cursors.open(cursor, filters(accountId), 1)
                    .map(p -> Long.parseLong(p.get(0)))
                    .filter(seq -> seq >= afterSeq);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * What is wrong with a cursor for these filters on the account's log: nothing, or one error
     * naming {@code cursor}. When {@code othersAtFault} (other parameters were refused, so the
     * filters it was meant for are unknown) only its form is checked.
     */
    public List<FieldError> cursorProblems(String accountId, String cursor, boolean othersAtFault) {
        if (cursor == null) return List.of();
        boolean fits = othersAtFault
                ? Cursors.wellFormed(cursor, 1)
                : position(accountId, cursor).isPresent();
        return fits ? List.of() : List.of(new FieldError("cursor", Cursors.PROBLEM));
    }

    /** The same filters, continuing after another sequence number. */
    AuditQuery continuingAfter(long seq) {
        return new AuditQuery(from, to, actor, action, target, seq, limit);
    }

    List<String> filters(String accountId) {
        return Arrays.asList(
                "audit",
                accountId,
                from == null ? null : from.toString(),
                to == null ? null : to.toString(),
                actor,
                action,
                target,
                Long.toString(afterSeq));
    }
}
