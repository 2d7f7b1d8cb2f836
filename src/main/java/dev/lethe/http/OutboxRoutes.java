package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.input.JsonFields;
import dev.lethe.outbox.Outbox;
import dev.lethe.outbox.OutboxEntry;
import dev.lethe.outbox.OutboxPage;
import dev.lethe.outbox.OutboxQuery;
import java.time.Instant;
import java.util.Optional;

/** The notifications outbox over HTTP: what waits, what was sent, what failed, and a retry. */
final class OutboxRoutes {

    private final Outbox outbox;

    OutboxRoutes(Outbox outbox) {
        this.outbox = outbox;
    }

    void register(Api api) {
        api.route(GET, "/v1/outbox")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "The account's outbox, newest first: per message its purpose, subject line, masked recipient, status (pending, sent, failed), attempts, last error and times; the text is never shown; paged by cursor; the read is audited")
                .query("status", "pending, sent or failed (default all)")
                .query("limit", "messages per page, 1.." + OutboxQuery.MAX_LIMIT + ", default 100")
                .query(
                        "cursor",
                        "the nextCursor of the previous page, with the same status; the answer's nextCursor is null on the last page")
                .answers(OutboxPage.class)
                .parse((q, caller) -> {
                    String status = q.oneOf("status", OutboxQuery.STATUSES);
                    var query = new OutboxQuery(
                            OutboxQuery.status(status), q.integer("limit", 100, 1, OutboxQuery.MAX_LIMIT), q.cursor());
                    q.addAll(
                            query.cursorProblems(caller.accountId(), !q.errors().isEmpty()));
                    return query;
                })
                .handle((ctx, caller, query) -> ctx.json(outbox.list(caller, query)));
        api.route(POST, "/v1/outbox/{id}/retry")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Send a failed message again {at?}: pending, due now (or at the given instant), with a fresh series of attempts (409 unless it failed, or once its content's retention ended); audited")
                .body(RetryBody.class)
                .answers(OutboxEntry.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", "No such message.");
                    var in = new JsonFields();
                    var body = ctx.body().isBlank()
                            ? null
                            : in.object(Json.object(ctx), "", JsonFields.keys(RetryBody.class));
                    Instant at = body == null ? null : in.optionalInstant(body, "", "at");
                    in.requireValid();
                    ctx.json(outbox.retry(caller, id, Optional.ofNullable(at)));
                });
    }

    /**
     * {@code POST /v1/outbox/{id}/retry}; an empty body retries now.
     *
     * @param at when to try again (default now; an instant already past is now)
     */
    record RetryBody(Instant at) {}
}
