package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEntry;
import dev.lethe.audit.AuditLog;
import dev.lethe.audit.AuditQuery;
import java.util.LinkedHashMap;
import java.util.Map;

/** The audit log and its verification over HTTP. An operator key reads the platform's chain. */
final class AuditRoutes {

    private final AuditLog audit;

    AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    void register(Api api) {
        api.route(GET, "/v1/audit")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "The account's chained audit entries in chain order, filtered (pending entries are chained first); paged: pass a page's nextCursor back as cursor")
                .query("from", "ISO instant, inclusive")
                .query("to", "ISO instant, exclusive")
                .query("actor", "key or user id")
                .query("action", "e.g. policy.change")
                .query("target", "e.g. policy:3")
                .query("after", "only entries after this sequence number (e.g. the last one read before)")
                .query("limit", "entries per page, 1..1000, default 100")
                .query(
                        "cursor",
                        "the nextCursor of the previous page, with the same filters; the answer's nextCursor is null on the last page")
                .parse((q, caller) -> {
                    var query = new AuditQuery(
                            q.instant("from"),
                            q.instant("to"),
                            q.text("actor"),
                            q.text("action"),
                            q.text("target"),
                            q.integer("after", 0, 0, Integer.MAX_VALUE),
                            q.integer("limit", 100, 1, 1000));
                    String cursor = q.cursor();
                    q.addAll(query.cursorProblems(
                            caller.accountId(), cursor, !q.errors().isEmpty()));
                    return new AuditRequest(query, cursor);
                })
                .handle((ctx, caller, r) -> {
                    var page = audit.page(caller.accountId(), r.query(), r.cursor());
                    var out = new LinkedHashMap<String, Object>();
                    out.put(
                            "entries",
                            page.entries().stream().map(AuditRoutes::entry).toList());
                    out.put("nextCursor", page.nextCursor());
                    ctx.json(out);
                });
        api.route(GET, "/v1/audit/verify")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "Check the account's keyed audit chain: names every edited, removed, reordered or forged entry, counts pending ones, and returns the head")
                .handle((ctx, caller) -> ctx.json(audit.verify(caller.accountId())));
    }

    private record AuditRequest(AuditQuery query, String cursor) {}

    private static Map<String, Object> entry(AuditEntry e) {
        var out = new LinkedHashMap<String, Object>();
        out.put("seq", e.seq());
        out.put("at", e.at().toString());
        out.put("actor", e.actor());
        out.put("source", e.source());
        out.put("action", e.action());
        out.put("targets", Json.readTree(e.targets()));
        out.put("outcome", e.outcome());
        out.put("detail", Json.readTree(e.detail()));
        out.put("hash", e.hash());
        return out;
    }
}
