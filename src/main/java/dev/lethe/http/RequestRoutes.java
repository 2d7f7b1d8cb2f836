package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.input.JsonFields;
import dev.lethe.requests.AccessPackages;
import dev.lethe.requests.NewRequest;
import dev.lethe.requests.PackageFormat;
import dev.lethe.requests.RequestQuery;
import dev.lethe.requests.RequestStatus;
import dev.lethe.requests.RequestType;
import dev.lethe.requests.RequestView;
import dev.lethe.requests.Requests;
import dev.lethe.values.Sensitive;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Data-subject requests over HTTP: receive, verify, extend, reject, complete, lift, and the access package. */
final class RequestRoutes {

    private static final String NOT_FOUND = "No such request.";

    private final Requests requests;
    private final AccessPackages packages;

    RequestRoutes(Requests requests, AccessPackages packages) {
        this.requests = requests;
        this.packages = packages;
    }

    void register(Api api) {
        api.route(POST, "/v1/requests")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Receive a data-subject request {type, subject: {email | phone | externalId | visitorId | profileId}, receivedAt?, purposes? (objection), changes? {traits} (rectification), verify?}: due one calendar month after receipt (or after verification); a person Lethe does not know is answered at once (completed, outcome not_found)")
                .body(RequestBody.class)
                .returns(201)
                .answers(RequestView.class)
                .handle((ctx, caller) -> ctx.status(201).json(requests.create(caller, newRequest(Json.object(ctx)))));
        api.route(GET, "/v1/requests")
                .access(Access.needs(Scope.READ))
                .summary(
                        "The request queue in order of receipt: by status and type, overdue ones, those due within a period")
                .query("status", "one of " + String.join(", ", RequestStatus.wireNames()))
                .query("type", "one of " + String.join(", ", RequestType.wireNames()))
                .query("overdue", "true: only open requests past their due date; false: none of those")
                .query("dueWithin", "an ISO-8601 period such as P7D: open requests due within it")
                .query("cursor", "the nextCursor of the previous page")
                .query(
                        "limit",
                        "requests per page, 1.." + RequestQuery.MAX_LIMIT + ", default " + RequestQuery.DEFAULT_LIMIT)
                .answers(RequestView.Page.class)
                .parse((q, caller) -> {
                    String status = q.oneOf("status", RequestStatus.wireNames());
                    String type = q.oneOf("type", RequestType.wireNames());
                    String overdue = q.oneOf("overdue", List.of("true", "false"));
                    var dueWithin = q.period("dueWithin");
                    String cursor = q.cursor();
                    int limit = q.integer("limit", RequestQuery.DEFAULT_LIMIT, 1, RequestQuery.MAX_LIMIT);
                    return new RequestQuery(
                            status == null
                                    ? null
                                    : RequestStatus.fromWire(status).orElseThrow(),
                            type == null ? null : RequestType.fromWire(type).orElseThrow(),
                            overdue == null ? null : Boolean.valueOf(overdue),
                            dueWithin,
                            cursor,
                            limit);
                })
                .handle((ctx, caller, query) -> ctx.json(requests.list(caller, query)));
        api.route(GET, "/v1/requests/{id}")
                .access(Access.needs(Scope.READ))
                .summary("One request: its state, outcome, due date (extended or not) and whether it is overdue")
                .answers(RequestView.class)
                .handle((ctx, caller) -> ctx.json(requests.get(caller, Json.idPath(ctx, "id", NOT_FOUND))));
        api.route(POST, "/v1/requests/{id}/reject")
                .access(Access.needs(Scope.ADMIN))
                .summary("Reject an open request {reason}: the reason is kept and answered (GDPR Art. 12(4))")
                .body(RejectBody.class)
                .answers(RequestView.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", NOT_FOUND);
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(RejectBody.class));
                    String reason = body == null ? null : reason(in, body);
                    in.requireValid();
                    ctx.json(requests.reject(caller, id, reason));
                });
        api.route(POST, "/v1/requests/{id}/complete")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Complete a request in progress whose last step is the account's: an erasure (the person is erased, with a receipt), a rectification made, an objection reviewed")
                .body(NoBody.class)
                .answers(RequestView.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", NOT_FOUND);
                    Json.noBody(ctx);
                    ctx.json(requests.complete(caller, id));
                });
        api.route(POST, "/v1/requests/{id}/extend")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Extend the deadline once {months: 1|2 | until, reason}: at most two further months, and only before the due date has passed (GDPR Art. 12(3))")
                .body(ExtendBody.class)
                .answers(RequestView.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", NOT_FOUND);
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(ExtendBody.class));
                    Integer months = null;
                    Instant until = null;
                    String reason = null;
                    if (body != null) {
                        months = months(in, body);
                        until = in.optionalInstant(body, "", "until");
                        reason = reason(in, body);
                        boolean hasMonths = body.hasNonNull("months");
                        boolean hasUntil = body.hasNonNull("until");
                        if (!hasMonths && !hasUntil) in.error("months", "give months (1 or 2) or until");
                        if (hasMonths && hasUntil) in.error("until", "give months or until, not both");
                    }
                    in.requireValid();
                    ctx.json(requests.extend(caller, id, months, until, reason));
                });
        api.route(POST, "/v1/requests/{id}/verify")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Check the code sent to the person {code}: a right one starts the deadline and the request's work; wrong ones are limited")
                .body(VerifyBody.class)
                .answers(RequestView.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", NOT_FOUND);
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(VerifyBody.class));
                    String code = body == null ? null : in.requiredText(body, "", "code");
                    if (code != null && (code.isBlank() || code.length() > 40))
                        in.error("code", "must be the code sent");
                    in.requireValid();
                    ctx.json(requests.verify(caller, id, code));
                });
        api.route(POST, "/v1/requests/{id}/code")
                .access(Access.needs(Scope.ADMIN))
                .summary("Send the person a new verification code (a reminder); the previous one stops working")
                .body(NoBody.class)
                .answers(RequestView.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", NOT_FOUND);
                    Json.noBody(ctx);
                    ctx.json(requests.resendCode(caller, id));
                });
        api.route(POST, "/v1/requests/{id}/lift")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Lift a restriction: the person's new activity is stored again and they show in lists, segments and exports again")
                .body(NoBody.class)
                .answers(RequestView.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", NOT_FOUND);
                    Json.noBody(ctx);
                    ctx.json(requests.lift(caller, id));
                });
        api.route(GET, "/v1/requests/{id}/package")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "The access package of an access or portability request: everything held on the person, why, for how long, who receives it and who accessed it, as JSON (schema: /v1/schemas/access-package.json), CSV files in a zip, or text; streamed; each download audited; the first completes the request")
                .query("format", "json (default), csv or text")
                .returns(200, "application/json", "application/zip", "text/plain")
                .answers(JsonNode.class)
                .parse((q, caller) -> {
                    String f = q.oneOf("format", PackageFormat.wireNames());
                    return f == null
                            ? PackageFormat.JSON
                            : PackageFormat.fromWire(f).orElseThrow();
                })
                .handle((ctx, caller, format) -> {
                    var request = packages.open(caller, Json.idPath(ctx, "id", NOT_FOUND), format);
                    ctx.status(200);
                    ctx.contentType(format.mediaType());
                    // a zip is bytes: no character set
                    if (format == PackageFormat.CSV) ctx.res().setCharacterEncoding(null);
                    ctx.header(
                            "Content-Disposition",
                            "attachment; filename=\"" + format.fileName(request.requestId()) + "\"");
                    packages.write(caller, request, format, ctx.res().getOutputStream());
                });
        api.route(GET, "/v1/schemas/access-package.json")
                .summary("The JSON Schema every JSON access package follows")
                .returns(200, "application/schema+json")
                .handle((ctx, caller) ->
                        ctx.contentType("application/schema+json").result(SCHEMA));
    }

    /** The shipped schema, read once. */
    private static final String SCHEMA = schema();

    private static String schema() {
        try (InputStream in = RequestRoutes.class.getResourceAsStream("/schemas/access-package.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NewRequest newRequest(JsonNode root) {
        var in = new JsonFields();
        var body = in.object(root, "", JsonFields.keys(RequestBody.class));
        if (body == null) {
            in.requireValid();
            throw new IllegalStateException("unreachable");
        }
        String typeText = in.requiredText(body, "", "type");
        RequestType type = null;
        if (typeText != null) {
            type = RequestType.fromWire(typeText).orElse(null);
            if (type == null) in.error("type", "must be one of " + String.join(", ", RequestType.wireNames()));
        }
        String identifiedBy = null;
        Sensitive identifier = null;
        var subject = in.optionalObject(body, "", "subject", NewRequest.IDENTIFIED_BY);
        if (subject == null && !body.hasNonNull("subject")) in.error("subject", "is required");
        if (subject != null) {
            var given = new ArrayList<String>();
            subject.fieldNames().forEachRemaining(given::add);
            given.retainAll(NewRequest.IDENTIFIED_BY);
            if (given.size() != 1) {
                in.error("subject", "give exactly one of " + String.join(", ", NewRequest.IDENTIFIED_BY));
            } else {
                identifiedBy = given.get(0);
                String text = in.requiredText(subject, "subject", identifiedBy);
                if (text != null) identifier = new Sensitive(text);
            }
        }
        Instant receivedAt = in.optionalInstant(body, "", "receivedAt");
        List<String> purposes = in.texts(body, "", "purposes");
        for (int i = 0; i < purposes.size(); i++) {
            if (!purposes.get(i).matches("[a-z][a-z0-9_]{0,63}"))
                in.error("purposes[" + i + "]", "must be a purpose name such as targeting (a-z, 0-9, _)");
        }
        Boolean verify = in.optionalBoolean(body, "", "verify");
        var changes = in.optionalObject(body, "", "changes", JsonFields.keys(ChangesBody.class));
        var traits = changes == null ? java.util.Map.<String, Sensitive>of() : in.values(changes, "changes", "traits");
        in.requireValid();
        return new NewRequest(
                type, identifiedBy, identifier, receivedAt, purposes, Boolean.TRUE.equals(verify), traits);
    }

    private static String reason(JsonFields in, JsonNode body) {
        String reason = in.requiredText(body, "", "reason");
        if (reason != null && (reason.isBlank() || reason.length() > 500))
            in.error("reason", "must be 1 to 500 characters");
        return reason;
    }

    private static Integer months(JsonFields in, JsonNode body) {
        JsonNode n = body.get("months");
        if (n == null || n.isNull()) return null;
        if (!n.isInt() || n.asInt() < 1 || n.asInt() > dev.lethe.requests.Deadlines.MAX_EXTENSION_MONTHS) {
            in.error("months", "must be 1 or 2: the law allows at most two further months");
            return null;
        }
        return n.asInt();
    }

    /**
     * {@code POST /v1/requests}.
     *
     * @param type access, erasure, rectification, restriction, objection or portability
     * @param subject the person, by exactly one identifier
     * @param receivedAt when the account received the request (default now)
     * @param purposes for an objection: the purposes objected to
     * @param verify true to verify the requester by a code sent to the person's email first
     * @param changes for a rectification: the corrected traits, applied at once
     */
    record RequestBody(
            String type,
            SubjectBody subject,
            Instant receivedAt,
            List<String> purposes,
            Boolean verify,
            ChangesBody changes) {}

    /** A rectification's corrections. */
    record ChangesBody(java.util.Map<String, Object> traits) {}

    /** The person a request is about, by one identifier. */
    record SubjectBody(String email, String phone, String externalId, String visitorId, String profileId) {}

    /** The body of an action that takes no fields: none, or {}. */
    record NoBody() {}

    /** {@code POST /v1/requests/{id}/reject}. */
    record RejectBody(String reason) {}

    /**
     * {@code POST /v1/requests/{id}/extend}: {@code months} or {@code until}.
     *
     * @param months 1 or 2 further months
     * @param until the new due date, at most three months after the clock started
     * @param reason why more time is needed (the person is told)
     */
    record ExtendBody(Integer months, Instant until, String reason) {}

    /** {@code POST /v1/requests/{id}/verify}. */
    record VerifyBody(String code) {}
}
