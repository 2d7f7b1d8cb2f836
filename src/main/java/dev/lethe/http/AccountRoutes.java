package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Account;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.ApiKey;
import dev.lethe.accounts.RetentionExtension;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.NotFoundException;
import dev.lethe.registry.Durations;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** Accounts, keys and the operator's approvals over HTTP. */
final class AccountRoutes {

    private final AccountService accounts;

    AccountRoutes(AccountService accounts) {
        this.accounts = accounts;
    }

    void register(Api api) {
        api.route(POST, "/v1/accounts")
                .access(Access.needs(Scope.OPERATOR))
                .summary("Create an account; returns its id and its first admin key (shown only once)")
                .accepts("application/json")
                .returns(201)
                .handle((ctx, caller) -> {
                    var errors = new ArrayList<FieldError>();
                    String name = Json.text(Json.object(ctx), "name", errors);
                    Json.requireNoErrors(errors);
                    var created = accounts.createAccount(caller, name);
                    var body = account(created.account());
                    body.put("adminKey", created.adminKey());
                    ctx.status(201).json(body);
                });
        api.route(GET, "/v1/accounts")
                .access(Access.needs(Scope.OPERATOR))
                .summary("List the accounts")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "accounts",
                        accounts.listAccounts(caller).stream()
                                .map(AccountRoutes::account)
                                .toList())));
        api.route(GET, "/v1/account")
                .access(Access.needs(Scope.READ, Scope.OPERATOR))
                .summary("The caller's own account")
                .handle((ctx, caller) -> ctx.json(account(accounts.account(caller.accountId()))));
        api.route(POST, "/v1/accounts/{id}/contract")
                .access(Access.needs(Scope.OPERATOR))
                .summary("Record the end of an account's contract (the contract_ended retention trigger)")
                .accepts("application/json")
                .handle((ctx, caller) -> {
                    var errors = new ArrayList<FieldError>();
                    var endedAt = Json.instant(Json.object(ctx), "endedAt", errors);
                    Json.requireNoErrors(errors);
                    ctx.json(account(accounts.setContractEnd(caller, accountParam(ctx), endedAt)));
                });
        api.route(POST, "/v1/accounts/{id}/retention-extensions")
                .access(Access.needs(Scope.OPERATOR))
                .summary("Approve keeping a category or record longer than the platform default, for one account")
                .accepts("application/json")
                .returns(201)
                .handle((ctx, caller) -> {
                    var body = Json.object(ctx);
                    var errors = new ArrayList<FieldError>();
                    String target = Json.text(body, "target", errors);
                    String period = Json.text(body, "maxPeriod", errors);
                    String reason = Json.text(body, "reason", errors);
                    Json.requireNoErrors(errors);
                    // An unreadable period goes on as null: the service reports it with every other mistake.
                    var maxPeriod = Durations.parsePeriod(period).orElse(null);
                    var e = accounts.approveExtension(caller, accountParam(ctx), target, maxPeriod, reason);
                    ctx.status(201).json(extension(e));
                });
        api.route(GET, "/v1/accounts/{id}/retention-extensions")
                .access(Access.needs(Scope.OPERATOR))
                .summary("The retention extensions approved for an account")
                .handle((ctx, caller) -> {
                    String id = accountParam(ctx);
                    accounts.account(id);
                    ctx.json(Map.of(
                            "extensions",
                            accounts.extensions(id).stream()
                                    .map(AccountRoutes::extension)
                                    .toList()));
                });
        api.route(POST, "/v1/keys")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "Create an API key with scopes admin, read and/or ingest (operator keys: operator); the key is shown only once")
                .accepts("application/json")
                .returns(201)
                .handle((ctx, caller) -> {
                    var body = Json.object(ctx);
                    var errors = new ArrayList<FieldError>();
                    var scopes = EnumSet.noneOf(Scope.class);
                    var list = body.get("scopes");
                    if (list == null || !list.isArray())
                        errors.add(new FieldError("scopes", "must be a list such as [\"read\"]"));
                    else
                        for (int i = 0; i < list.size(); i++) {
                            try {
                                scopes.add(Scope.fromWire(list.get(i).asText()));
                            } catch (IllegalArgumentException e) {
                                errors.add(new FieldError("scopes[" + i + "]", e.getMessage()));
                            }
                        }
                    String label = null;
                    if (body.hasNonNull("label")) {
                        if (body.get("label").isTextual())
                            label = body.get("label").asText();
                        else errors.add(new FieldError("label", "must be a text"));
                    }
                    Json.requireNoErrors(errors);
                    var key = accounts.createKey(caller, scopes, label);
                    ctx.status(201)
                            .json(Map.of(
                                    "keyId",
                                    key.keyId(),
                                    "key",
                                    key.key(),
                                    "scopes",
                                    key.scopes().stream()
                                            .map(Scope::wireName)
                                            .sorted()
                                            .toList()));
                });
        api.route(GET, "/v1/keys")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary("List the account's keys (ids and scopes; secrets are never shown again)")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "keys",
                        accounts.listKeys(caller).stream()
                                .map(AccountRoutes::key)
                                .toList())));
        api.route(DELETE, "/v1/keys/{keyId}")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary("Revoke a key")
                .returns(204)
                .handle((ctx, caller) -> {
                    accounts.revokeKey(caller, ctx.pathParam("keyId"));
                    ctx.status(204);
                });
    }

    /** The platform account is not an account the operator manages through these routes. */
    private static String accountParam(Context ctx) {
        String id = Json.idPath(ctx, "id", "No such account.");
        if (Account.PLATFORM.equals(id)) throw new NotFoundException("No such account.");
        return id;
    }

    private static Map<String, Object> extension(RetentionExtension e) {
        return Map.of(
                "target", e.target(),
                "maxPeriod", e.maxPeriod().toString(),
                "reason", e.reason(),
                "approvedBy", e.approvedBy(),
                "approvedAt", e.approvedAt().toString());
    }

    static Map<String, Object> account(Account a) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", a.id());
        out.put("name", a.name());
        out.put("createdAt", a.createdAt().toString());
        out.put(
                "contractEndedAt",
                a.contractEndedAt() == null ? null : a.contractEndedAt().toString());
        out.put("noticesPublic", a.noticesPublic());
        return out;
    }

    private static Map<String, Object> key(ApiKey k) {
        var out = new LinkedHashMap<String, Object>();
        out.put("keyId", k.keyId());
        out.put("scopes", k.scopes().stream().map(Scope::wireName).sorted().toList());
        out.put("label", k.label());
        out.put("createdAt", k.createdAt().toString());
        out.put("revokedAt", k.revokedAt() == null ? null : k.revokedAt().toString());
        return out;
    }
}
