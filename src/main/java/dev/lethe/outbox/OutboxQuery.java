package dev.lethe.outbox;

import dev.lethe.errors.FieldError;
import dev.lethe.storage.Cursors;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A request for a page of the outbox.
 *
 * @param status only messages of this status, or null for all
 * @param limit messages per page
 * @param cursor the previous page's {@code nextCursor}, or null for the first page
 */
public record OutboxQuery(OutboxStatus status, int limit, String cursor) {

    /** The most messages one page holds. */
    public static final int MAX_LIMIT = 1000;

    /** The statuses a query may name, as the API spells them. */
    public static final List<String> STATUSES =
            Arrays.stream(OutboxStatus.values()).map(OutboxStatus::wireName).toList();

    public OutboxQuery {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }

    /** A status as the API spells it, or null. */
    public static OutboxStatus status(String wire) {
        return wire == null ? null : OutboxStatus.fromWire(wire);
    }

    /** The problem with the cursor for this account and filter, if it is not one of theirs. */
    public List<FieldError> cursorProblems(String accountId, boolean othersAtFault) {
        if (cursor == null) return List.of();
        boolean fits = othersAtFault
                ? Cursors.wellFormed(cursor, 2)
                : position(accountId).isPresent();
        return fits ? List.of() : List.of(new FieldError("cursor", Cursors.PROBLEM));
    }

    /** Where the page starts: after the message created at this instant with this id. */
    record Position(Instant createdAt, String messageId) {}

    Optional<Position> position(String accountId) {
        if (cursor == null) return Optional.empty();
        return Cursors.open(cursor, filters(accountId), 2).flatMap(p -> {
            try {
                return Optional.of(new Position(Instant.parse(p.get(0)), p.get(1)));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    String next(String accountId, Instant createdAt, String messageId) {
        return Cursors.seal(filters(accountId), List.of(createdAt.toString(), messageId));
    }

    private List<String> filters(String accountId) {
        return Arrays.asList("outbox", accountId, status == null ? null : status.wireName());
    }
}
