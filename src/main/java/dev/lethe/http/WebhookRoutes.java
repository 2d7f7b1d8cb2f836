package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.input.JsonFields;
import dev.lethe.outbox.Webhooks;
import dev.lethe.subscriptions.SubprocessorSubscriptions;
import java.util.List;

/** Webhook endpoints and sub-processor change subscriptions over HTTP (docs/webhooks.md). */
final class WebhookRoutes {

    private static final int MAX_TOKEN = 300;

    private final Webhooks webhooks;
    private final SubprocessorSubscriptions subscriptions;

    WebhookRoutes(Webhooks webhooks, SubprocessorSubscriptions subscriptions) {
        this.webhooks = webhooks;
        this.subscriptions = subscriptions;
    }

    void register(Api api) {
        api.route(POST, "/v1/webhooks")
                .access(Access.needs(Scope.ADMIN))
                .summary("Make a webhook endpoint {url, events, processor?, personalData?}: events are "
                        + String.join(", ", Webhooks.EVENTS)
                        + "; the answer holds its signing secret, shown this once; the URL must be http(s) and not"
                        + " resolve to a loopback, private or link-local address; audited")
                .body(WebhookBody.class)
                .returns(201)
                .answers(Webhooks.Created.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(WebhookBody.class));
                    String url = in.requiredText(body, "", "url");
                    List<String> events = in.texts(body, "", "events");
                    if (body.get("events") == null || body.get("events").isNull()) in.error("events", "is required");
                    String processor = in.optionalText(body, "", "processor");
                    if (processor != null && (processor.isBlank() || processor.length() > Webhooks.MAX_PROCESSOR)) {
                        in.error(
                                "processor",
                                "must be the name of a processor of the policy, 1.." + Webhooks.MAX_PROCESSOR
                                        + " characters");
                    }
                    Boolean personal = in.optionalBoolean(body, "", "personalData");
                    in.requireValid();
                    ctx.status(201)
                            .json(webhooks.create(
                                    caller,
                                    new Webhooks.NewWebhook(url, events, processor, personal != null && personal)));
                });
        api.route(GET, "/v1/webhooks")
                .access(Access.needs(Scope.ADMIN))
                .summary("The account's webhook endpoints: URL without its query, events, processor, personalData;"
                        + " never the secret")
                .answers(WebhookList.class)
                .handle((ctx, caller) -> ctx.json(new WebhookList(webhooks.list(caller))));
        api.route(DELETE, "/v1/webhooks/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary("Delete a webhook endpoint: its messages not yet delivered are not sent; audited")
                .returns(204)
                .handle((ctx, caller) -> {
                    webhooks.delete(caller, Json.idPath(ctx, "id", "No such webhook."));
                    ctx.status(204);
                });
        api.route(POST, "/v1/subprocessor-subscriptions")
                .access(Access.needs(Scope.INGEST))
                .summary("Subscribe to this account's sub-processor changes {email | webhookUrl}, as a public notice"
                        + " page does with the ingest key: a confirmation link is sent (valid 7 days); the answer is"
                        + " the same whether the address was subscribed already")
                .body(SubscriptionBody.class)
                .returns(202)
                .answers(Accepted.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(SubscriptionBody.class));
                    String email = in.optionalText(body, "", "email");
                    String url = in.optionalText(body, "", "webhookUrl");
                    in.requireValid();
                    subscriptions.subscribe(caller, email, url);
                    ctx.status(202).json(new Accepted(true));
                });
        api.route(GET, "/v1/subprocessor-subscriptions/confirm")
                .summary("Confirm a subscription with the token of its confirmation link (the link is the only"
                        + " credential); 404 when it is unknown, used or expired. A webhook subscriber gets its"
                        + " signing secret in this answer, once")
                .query("token", "the token of the confirmation link")
                .answers(Confirmed.class)
                .parse((q, caller) -> token(q))
                .handle((ctx, caller, token) -> {
                    var secret = subscriptions.confirm(token, ctx.ip());
                    // the answer may carry the signing secret, shown this once: no cache keeps it
                    ctx.header("Cache-Control", "no-store");
                    ctx.json(new Confirmed(true, secret.orElse(null)));
                });
        api.route(GET, "/v1/subprocessor-subscriptions/unsubscribe")
                .summary("End a subscription with the token of the unsubscribe link every notice carries; the"
                        + " subscription and its address are deleted")
                .query("token", "the token of the unsubscribe link")
                .answers(Unsubscribed.class)
                .parse((q, caller) -> token(q))
                .handle((ctx, caller, token) -> {
                    subscriptions.unsubscribe(token, ctx.ip());
                    ctx.json(new Unsubscribed(true));
                });
    }

    private static String token(Query q) {
        String token = q.text("token");
        if (token == null || token.isBlank()) q.add(new dev.lethe.errors.FieldError("token", "is required"));
        else if (token.length() > MAX_TOKEN || !token.matches("[A-Za-z0-9._-]+")) {
            q.add(new dev.lethe.errors.FieldError("token", "is not a token of a link Lethe sent"));
        }
        return token;
    }

    /**
     * {@code POST /v1/webhooks}.
     *
     * @param url where to POST, http(s)
     * @param events the events to receive
     * @param processor the name of a policy processor: nothing is sent while it is not active
     * @param personalData whether payloads may carry values that identify a person (default false)
     */
    record WebhookBody(String url, List<String> events, String processor, Boolean personalData) {}

    /** {@code GET /v1/webhooks}. */
    record WebhookList(List<Webhooks.Webhook> webhooks) {}

    /**
     * {@code POST /v1/subprocessor-subscriptions}: exactly one of them.
     *
     * @param email where to send the notices
     * @param webhookUrl a URL to POST the notices to, as JSON
     */
    record SubscriptionBody(String email, String webhookUrl) {}

    /** The subscription was taken (or existed): a confirmation link is on its way unless it existed. */
    record Accepted(boolean accepted) {}

    /**
     * The subscription is confirmed.
     *
     * @param secret a webhook subscriber's signing secret ({@code Lethe-Signature}), shown this
     *     once; null for an email subscriber
     */
    record Confirmed(boolean confirmed, String secret) {}

    /** The subscription is gone. */
    record Unsubscribed(boolean unsubscribed) {}
}
