package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;

import dev.lethe.accounts.Scope;
import dev.lethe.erasure.ErasureReceipt;
import dev.lethe.erasure.Erasures;
import java.util.Optional;

/** Erasure over HTTP: erase a person and answer the receipt; read a receipt back. */
final class ErasureRoutes {

    private final Erasures erasures;

    ErasureRoutes(Erasures erasures) {
        this.erasures = erasures;
    }

    void register(Api api) {
        api.route(DELETE, "/v1/profiles/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Erase a person: their keys are destroyed and their rows deleted at once, legally held categories kept, and those whose retention rule counts from the erasure (after: erased) until its period has run; answers the receipt (every table with its row count, held categories with the hold's reason, kept categories with the rule and the date they go). Erasing again answers the same receipt")
                .query(
                        "requestId",
                        "the id of the data-subject request this erasure answers (a UUID), recorded on the receipt")
                .answers(ErasureReceipt.class)
                .parse((q, caller) -> Optional.ofNullable(q.text("requestId")))
                .handle((ctx, caller, requestId) ->
                        ctx.json(erasures.erase(caller, Json.idPath(ctx, "id", "No such profile."), requestId)));
        api.route(GET, "/v1/erasures/{id}")
                .access(Access.needs(Scope.READ))
                .summary(
                        "An erasure's receipt: its state (shredded, then purged), every table with its row count, held and kept categories")
                .answers(ErasureReceipt.class)
                .handle((ctx, caller) ->
                        ctx.json(erasures.receipt(caller, Json.idPath(ctx, "id", "No such erasure."))));
    }
}
