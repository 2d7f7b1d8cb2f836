package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Account;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEntry;
import dev.lethe.audit.AuditLog;
import dev.lethe.audit.AuditQuery;
import dev.lethe.audit.Verification;
import dev.lethe.errors.ForbiddenException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.storage.Ids;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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
                .answers(AuditPage.class)
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
                    ctx.json(new AuditPage(
                            page.entries().stream().map(AuditRoutes::entry).toList(), page.nextCursor()));
                });
        api.route(GET, "/v1/audit/verify")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "Check the account's keyed audit chain: names every edited, removed, reordered or forged entry, counts pending ones, and returns the head")
                .query(
                        "account",
                        "operator only: an account id, or platform (the default for an operator key), whose chain to check")
                .answers(Verification.class)
                .parse((q, caller) -> Optional.ofNullable(q.text("account")))
                .handle((ctx, caller, account) -> ctx.json(audit.verify(chainToVerify(caller, account.orElse(null)))));
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

    private record AuditRequest(AuditQuery query, String cursor) {}

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

    /** A page of entries; {@code nextCursor} asks for the next page, null on the last. */
    record AuditPage(List<EntryView> entries, String nextCursor) {}
}
