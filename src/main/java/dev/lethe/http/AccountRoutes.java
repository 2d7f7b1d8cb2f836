package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lethe.accounts.Account;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.ApiKey;
import dev.lethe.accounts.RetentionExtension;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.NotFoundException;
import dev.lethe.input.JsonFields;
import dev.lethe.registry.Durations;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

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
                .body(NewAccount.class)
                .returns(201)
                .answers(CreatedAccount.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var request = in.object(Json.object(ctx), "", List.of("name"));
                    String name = in.requiredText(request, "", "name");
                    in.requireValid();
                    var created = accounts.createAccount(caller, name);
                    var a = account(created.account());
                    ctx.status(201)
                            .json(new CreatedAccount(
                                    a.id(),
                                    a.name(),
                                    a.createdAt(),
                                    a.contractEndedAt(),
                                    a.noticesPublic(),
                                    created.adminKey()));
                });
        api.route(GET, "/v1/accounts")
                .access(Access.needs(Scope.OPERATOR))
                .summary("List the accounts")
                .answers(Accounts.class)
                .handle((ctx, caller) -> ctx.json(new Accounts(accounts.listAccounts(caller).stream()
                        .map(AccountRoutes::account)
                        .toList())));
        api.route(GET, "/v1/account")
                .access(Access.needs(Scope.READ, Scope.OPERATOR))
                .summary("The caller's own account")
                .answers(AccountView.class)
                .handle((ctx, caller) -> ctx.json(account(accounts.account(caller.accountId()))));
        api.route(POST, "/v1/accounts/{id}/contract")
                .access(Access.needs(Scope.OPERATOR))
                .summary("Record the end of an account's contract (the contract_ended retention trigger)")
                .body(ContractEnd.class)
                .answers(AccountView.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", List.of("endedAt"));
                    var endedAt = in.requiredInstant(body, "", "endedAt");
                    in.requireValid();
                    ctx.json(account(accounts.setContractEnd(caller, accountParam(ctx), endedAt)));
                });
        api.route(POST, "/v1/accounts/{id}/retention-extensions")
                .access(Access.needs(Scope.OPERATOR))
                .summary("Approve keeping a category or record longer than the platform default, for one account")
                .body(ExtensionApproval.class)
                .returns(201)
                .answers(Extension.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", List.of("target", "maxPeriod", "reason"));
                    String target = in.requiredText(body, "", "target");
                    String period = in.requiredText(body, "", "maxPeriod");
                    String reason = in.requiredText(body, "", "reason");
                    in.requireValid();
                    // An unreadable period goes on as null: the service reports it with every other mistake.
                    var maxPeriod = Durations.parsePeriod(period).orElse(null);
                    var e = accounts.approveExtension(caller, accountParam(ctx), target, maxPeriod, reason);
                    ctx.status(201).json(extension(e));
                });
        api.route(GET, "/v1/accounts/{id}/retention-extensions")
                .access(Access.needs(Scope.OPERATOR))
                .summary("The retention extensions approved for an account")
                .answers(Extensions.class)
                .handle((ctx, caller) -> {
                    String id = accountParam(ctx);
                    accounts.account(id);
                    ctx.json(new Extensions(accounts.extensions(id).stream()
                            .map(AccountRoutes::extension)
                            .toList()));
                });
        api.route(POST, "/v1/keys")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "Create an API key with scopes admin, read and/or ingest (operator keys: operator); the key is shown only once")
                .body(NewKey.class)
                .returns(201)
                .answers(CreatedKey.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", List.of("scopes", "label"));
                    var scopes = EnumSet.noneOf(Scope.class);
                    var list = body.get("scopes");
                    if (list == null || !list.isArray()) in.error("scopes", "must be a list such as [\"read\"]");
                    else
                        for (int i = 0; i < list.size(); i++) {
                            try {
                                scopes.add(Scope.fromWire(list.get(i).asText()));
                            } catch (IllegalArgumentException e) {
                                in.error("scopes[" + i + "]", e.getMessage());
                            }
                        }
                    String label = in.optionalText(body, "", "label");
                    in.requireValid();
                    var key = accounts.createKey(caller, scopes, label);
                    ctx.status(201).json(new CreatedKey(key.keyId(), key.key(), wireNames(key.scopes())));
                });
        api.route(GET, "/v1/keys")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary("List the account's keys (ids and scopes; secrets are never shown again)")
                .answers(Keys.class)
                .handle((ctx, caller) -> ctx.json(new Keys(accounts.listKeys(caller).stream()
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

    private static Extension extension(RetentionExtension e) {
        return new Extension(e.target(), e.maxPeriod().toString(), e.reason(), e.approvedBy(), e.approvedAt());
    }

    static AccountView account(Account a) {
        return new AccountView(a.id(), a.name(), a.createdAt(), a.contractEndedAt(), a.noticesPublic());
    }

    private static KeyView key(ApiKey k) {
        return new KeyView(k.keyId(), wireNames(k.scopes()), k.label(), k.createdAt(), k.revokedAt());
    }

    private static List<String> wireNames(Collection<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).sorted().toList();
    }

    /** {@code POST /v1/accounts}: the new account's name. */
    record NewAccount(@JsonProperty(required = true) String name) {}

    /** {@code POST /v1/accounts/{id}/contract}: when the contract ended. */
    record ContractEnd(@JsonProperty(required = true) Instant endedAt) {}

    /** {@code POST /v1/accounts/{id}/retention-extensions}: what may be kept longer, how long, why. */
    record ExtensionApproval(
            @JsonProperty(required = true) String target,
            @JsonProperty(required = true) String maxPeriod,
            @JsonProperty(required = true) String reason) {}

    /** {@code POST /v1/keys}: the scopes (admin, read, ingest; operator keys: operator) and a label. */
    record NewKey(@JsonProperty(required = true) List<String> scopes, String label) {}

    /** An account. */
    record AccountView(String id, String name, Instant createdAt, Instant contractEndedAt, boolean noticesPublic) {}

    /** A new account with its first admin key, shown only here. */
    record CreatedAccount(
            String id,
            String name,
            Instant createdAt,
            Instant contractEndedAt,
            boolean noticesPublic,
            String adminKey) {}

    record Accounts(List<AccountView> accounts) {}

    /** A retention extension the operator approved. */
    record Extension(String target, String maxPeriod, String reason, String approvedBy, Instant approvedAt) {}

    record Extensions(List<Extension> extensions) {}

    /** A new key, with its secret shown only here. */
    record CreatedKey(String keyId, String key, List<String> scopes) {}

    /** A key without its secret. */
    record KeyView(String keyId, List<String> scopes, String label, Instant createdAt, Instant revokedAt) {}

    record Keys(List<KeyView> keys) {}
}
