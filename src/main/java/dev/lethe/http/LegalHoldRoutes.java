package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.input.JsonFields;
import dev.lethe.retention.LegalHold;
import dev.lethe.retention.LegalHolds;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Legal holds over HTTP: place, list, release. */
final class LegalHoldRoutes {

    private static final String NOT_FOUND = "No such legal hold.";

    private final LegalHolds holds;

    LegalHoldRoutes(LegalHolds holds) {
        this.holds = holds;
    }

    void register(Api api) {
        api.route(POST, "/v1/legal-holds")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Place a legal hold {profileId | category | account: true, reason, until?}: sweeps skip what it keeps, and an erasure keeps its categories, until it is released or ends")
                .body(HoldBody.class)
                .returns(201)
                .answers(HoldView.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(HoldBody.class));
                    var placement = new LegalHolds.Placement(
                            in.optionalText(body, "", "profileId"),
                            in.optionalText(body, "", "category"),
                            in.optionalBoolean(body, "", "account"),
                            in.requiredText(body, "", "reason"),
                            in.optionalInstant(body, "", "until"));
                    in.requireValid();
                    ctx.status(201).json(view(holds.place(caller, placement)));
                });
        api.route(GET, "/v1/legal-holds")
                .access(Access.needs(Scope.READ))
                .summary("The account's legal holds in force, newest first; ?released=true adds released ones")
                .query("released", "true to list released holds too (default false)")
                .answers(HoldList.class)
                .parse((q, caller) -> Optional.ofNullable(q.oneOf("released", List.of("true", "false"))))
                .handle((ctx, caller, released) -> ctx.json(new HoldList(
                        holds.list(caller, released.map("true"::equals).orElse(false)).stream()
                                .map(LegalHoldRoutes::view)
                                .toList())));
        api.route(DELETE, "/v1/legal-holds/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Release a legal hold: what it kept follows its rules again from the next sweep, and what an erasure kept under it is destroyed now")
                .answers(HoldView.class)
                .handle((ctx, caller) -> ctx.json(view(holds.release(caller, Json.idPath(ctx, "id", NOT_FOUND)))));
    }

    private static HoldView view(LegalHold h) {
        return new HoldView(
                h.holdId(),
                h.scope().wireName(),
                h.subjectId(),
                h.category(),
                h.reason(),
                h.until(),
                h.createdAt(),
                h.createdBy(),
                h.releasedAt(),
                h.releasedBy());
    }

    /**
     * {@code POST /v1/legal-holds}: what the hold keeps (exactly one of profileId, category or
     * account: true), why, and until when.
     *
     * @param reason the case (an invoice number, a court file), 1 to 500 characters; stored and
     *     shown as written, so never a person's data
     * @param until when the hold ends by itself; left out, it lasts until released
     */
    record HoldBody(
            String profileId,
            String category,
            Boolean account,

            @com.fasterxml.jackson.annotation.JsonProperty(required = true)
            String reason,

            Instant until) {}

    /**
     * A legal hold.
     *
     * @param scope profile, category or account
     */
    record HoldView(
            String id,
            String scope,
            String profileId,
            String category,
            String reason,
            Instant until,
            Instant createdAt,
            String createdBy,
            Instant releasedAt,
            String releasedBy) {}

    record HoldList(List<HoldView> holds) {}
}
