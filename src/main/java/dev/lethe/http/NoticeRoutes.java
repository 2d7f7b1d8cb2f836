package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.PUT;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Account;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.NotFoundException;
import dev.lethe.input.JsonFields;
import dev.lethe.notices.Notice;
import dev.lethe.notices.NoticeContext;
import dev.lethe.notices.NoticeFormat;
import dev.lethe.notices.NoticeKind;
import dev.lethe.notices.Notices;
import dev.lethe.registry.PolicyService;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The public notices, generated from the policy in force, for the account and for anyone. */
final class NoticeRoutes {

    private static final String KINDS =
            Arrays.stream(NoticeKind.values()).map(NoticeKind::wireName).collect(Collectors.joining(", "));

    private final Notices notices;
    private final PolicyService policies;
    private final AccountService accounts;

    NoticeRoutes(Notices notices, PolicyService policies, AccountService accounts) {
        this.notices = notices;
        this.policies = policies;
        this.accounts = accounts;
    }

    void register(Api api) {
        api.route(GET, "/v1/notices/{kind}")
                .access(Access.needs(Scope.READ))
                .summary("A notice (retention, subprocessors, categories, cookies) generated from the policy in force")
                .query("format", "md, html or json; default from the Accept header, else json")
                .returns(200, "application/json", "text/markdown", "text/html")
                .answers(NoticeDocument.class)
                .parse(NoticeRoutes::format)
                .handle((ctx, caller, format) -> render(ctx, format, caller.accountId()));
        api.route(PUT, "/v1/notices/publication")
                .access(Access.needs(Scope.ADMIN))
                .summary("Publish the notices without authentication at /public/{accountId}/notices/{kind}, or stop")
                .body(Publication.class)
                .answers(Published.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", List.of("public"));
                    Boolean published = in.requiredBoolean(body, "", "public");
                    in.requireValid();
                    accounts.setNoticesPublic(caller, published);
                    ctx.json(new Published(published, "/public/" + caller.accountId() + "/notices/{kind}"));
                });
        api.route(GET, "/public/{accountId}/notices/{kind}")
                .summary("A published notice; 404 unless the account published its notices")
                .query("format", "md, html or json; default from the Accept header, else json")
                .returns(200, "application/json", "text/markdown", "text/html")
                .answers(NoticeDocument.class)
                .parse(NoticeRoutes::format)
                .handle((ctx, caller, format) -> {
                    String accountId = Json.idPath(ctx, "accountId", "No published notices here.");
                    if (Account.PLATFORM.equals(accountId)) throw new NotFoundException("No published notices here.");
                    Account account;
                    try {
                        account = accounts.account(accountId);
                    } catch (NotFoundException e) {
                        throw new NotFoundException("No published notices here.");
                    }
                    if (!account.noticesPublic()) throw new NotFoundException("No published notices here.");
                    render(ctx, format, accountId);
                });
    }

    private void render(Context ctx, NoticeFormat asked, String accountId) {
        String kindText = ctx.pathParam("kind");
        NoticeKind kind = NoticeKind.fromWire(kindText)
                .orElseThrow(() -> new NotFoundException("No such notice '" + kindText + "' (" + KINDS + ")."));
        NoticeFormat format = asked != null
                ? asked
                : NoticeFormat.fromAccept(ctx.header("Accept")).orElse(NoticeFormat.JSON);
        var version = policies.requireInForce(accountId);
        String body = notices.render(
                version.policy(), kind, format, new NoticeContext(null, version.version(), version.createdAt()));
        ctx.contentType(format.mediaType()).result(body);
    }

    /** The format asked for by parameter; null leaves it to the Accept header. */
    private static NoticeFormat format(Query q, Caller caller) {
        String param = q.text("format");
        if (param == null) return null;
        var format = NoticeFormat.fromWire(param);
        if (format.isEmpty()) q.add(new FieldError("format", "must be md, html or json"));
        return format.orElse(null);
    }

    /** {@code PUT /v1/notices/publication}: publish the notices, or stop. */
    record Publication(
            @JsonProperty(value = "public", required = true) boolean published) {}

    /** Whether the notices are published, and where. */
    record Published(@JsonProperty("public") boolean published, String url) {}

    /**
     * A notice as JSON: the document the Markdown and HTML forms print.
     *
     * @param notice retention, subprocessors, categories or cookies
     * @param policyVersion the policy version it was generated from
     * @param since when that version took effect
     */
    record NoticeDocument(
            String notice,
            String title,
            int policyVersion,
            Instant since,
            Notice.Controller controller,
            List<String> intro,
            List<NoticeSection> sections,
            List<String> footnotes) {}

    /**
     * A table of a notice.
     *
     * @param rows one object per row: {@code id} and one value per column key (a text, a list of
     *     texts, an object of lists, or true/false)
     */
    record NoticeSection(
            String key,
            String heading,
            List<String> intro,
            List<Notice.Column> columns,
            List<Map<String, JsonNode>> rows) {}
}
