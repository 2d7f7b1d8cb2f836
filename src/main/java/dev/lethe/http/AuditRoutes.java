package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEntry;
import dev.lethe.audit.AuditLog;
import dev.lethe.audit.AuditQuery;
import dev.lethe.audit.Verification;
import java.time.Instant;
import java.util.List;

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
                        "The account's chained audit entries in chain order, filtered (pending entries are chained first); page with ?after=<last seq>")
                .query("from", "ISO instant, inclusive")
                .query("to", "ISO instant, exclusive")
                .query("actor", "key or user id")
                .query("action", "e.g. policy.change")
                .query("target", "e.g. policy:3")
                .query("after", "sequence number to continue after")
                .query("limit", "1..1000, default 100")
                .answers(AuditPage.class)
                .handle((ctx, caller) -> {
                    var query = new AuditQuery(
                            Json.instantParam(ctx, "from"),
                            Json.instantParam(ctx, "to"),
                            ctx.queryParam("actor"),
                            ctx.queryParam("action"),
                            ctx.queryParam("target"),
                            Json.intParam(ctx, "after", 0, 0, Integer.MAX_VALUE),
                            Json.intParam(ctx, "limit", 100, 1, 1000));
                    var entries = audit.find(caller.accountId(), query).stream()
                            .map(AuditRoutes::entry)
                            .toList();
                    ctx.json(new AuditPage(
                            entries,
                            entries.size() == query.limit()
                                    ? entries.get(entries.size() - 1).seq()
                                    : null));
                });
        api.route(GET, "/v1/audit/verify")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "Check the account's keyed audit chain: names every edited, removed, reordered or forged entry, counts pending ones, and returns the head")
                .answers(Verification.class)
                .handle((ctx, caller) -> ctx.json(audit.verify(caller.accountId())));
    }

    private static EntryView entry(AuditEntry e) {
        return new EntryView(
                e.seq(),
                e.at(),
                e.actor(),
                e.source(),
                e.action(),
                Json.readTree(e.targets()),
                e.outcome(),
                Json.readTree(e.detail()),
                e.hash());
    }

    /**
     * One chained entry: ids and keyed hashes, never a personal value.
     *
     * @param targets what the action concerned, as ids
     * @param detail what else the action records: counts, fields by name, reasons
     */
    record EntryView(
            long seq,
            Instant at,
            String actor,
            String source,
            String action,
            JsonNode targets,
            String outcome,
            JsonNode detail,
            String hash) {}

    /** A page of entries; {@code next} is the seq to continue after. */
    record AuditPage(List<EntryView> entries, Long next) {}
}
