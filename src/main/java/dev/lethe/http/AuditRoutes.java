package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import dev.lethe.accounts.Account;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEntry;
import dev.lethe.audit.AuditLog;
import dev.lethe.audit.AuditQuery;
import dev.lethe.errors.ForbiddenException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.storage.Ids;
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
                        "The account's chained audit entries in chain order, filtered (pending entries are chained first); page with ?after=<last seq>")
                .query("from", "ISO instant, inclusive")
                .query("to", "ISO instant, exclusive")
                .query("actor", "key or user id")
                .query("action", "e.g. policy.change")
                .query("target", "e.g. policy:3")
                .query("after", "sequence number to continue after")
                .query("limit", "1..1000, default 100")
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
                    var out = new LinkedHashMap<String, Object>();
                    out.put("entries", entries);
                    out.put(
                            "next",
                            entries.size() == query.limit()
                                    ? entries.get(entries.size() - 1).get("seq")
                                    : null);
                    ctx.json(out);
                });
        api.route(GET, "/v1/audit/verify")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "Check the account's keyed audit chain: names every edited, removed, reordered or forged entry, counts pending ones, and returns the head")
                .query(
                        "account",
                        "operator only: an account id, or platform (the default for an operator key), whose chain to check")
                .handle((ctx, caller) -> ctx.json(audit.verify(chainToVerify(caller, ctx.queryParam("account")))));
    }

    /**
     * Whose chain a verify checks: the caller's own, or for an operator key any account's (the
     * check shows sequence numbers and hashes, never an entry's content), so the operator can check
     * every chain of a running server as {@code lethe audit verify} does on a stopped one.
     */
    private String chainToVerify(Caller caller, String account) {
        if (account == null || account.isBlank()) return caller.accountId();
        String named = "platform".equals(account.strip()) ? Account.PLATFORM : account.strip();
        if (!caller.isOperator()) {
            if (named.equals(caller.accountId())) return named;
            throw new ForbiddenException("Only an operator key checks another account's chain.");
        }
        if (!named.equals(Account.PLATFORM)
                && !(Ids.isId(named) && audit.chainOwners().contains(named))) {
            throw new NotFoundException("No audit chain of such an account.");
        }
        return named;
    }

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
