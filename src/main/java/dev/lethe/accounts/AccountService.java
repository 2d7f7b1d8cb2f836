package dev.lethe.accounts;

import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.ForbiddenException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.errors.UnauthenticatedException;
import dev.lethe.storage.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Accounts, their API keys, and the operator's approvals. */
public final class AccountService {

    /** The key id of the operator key made at first start (or fixed by LETHE_BOOTSTRAP_KEY). */
    public static final String BOOTSTRAP_KEY_ID = "bootstrap";

    private final Jdbi jdbi;
    private final AccountStore store;
    private final AuditLog audit;
    private final KeyMaterial keys;
    private final Clock clock;

    public AccountService(Jdbi jdbi, AccountStore store, AuditLog audit, KeyMaterial keys, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.audit = audit;
        this.keys = keys;
        this.clock = clock;
    }

    /** A new account and the one admin key that is shown only now. */
    public record CreatedAccount(Account account, String adminKey) {}

    /** A new key, shown only now. */
    public record CreatedKey(String keyId, Set<Scope> scopes, String key) {}

    /**
     * Makes sure the platform has an operator key. With a fixed key (LETHE_BOOTSTRAP_KEY) that key
     * becomes the bootstrap key; otherwise, on the very first start, a random one is made and handed
     * to {@code deliver} (which shows it and writes it to a file) inside the transaction that stores
     * it: if delivering fails, nothing is stored and the next start makes a new one, so the operator
     * can never be left with a key nobody was shown. Returns the new key, if one was made.
     */
    public Optional<String> bootstrapOperator(Optional<String> fixedKey, Consumer<String> deliver) {
        return jdbi.inTransaction(h -> {
            var existing = store.findKey(h, BOOTSTRAP_KEY_ID);
            if (fixedKey.isPresent()) {
                String hash = KeyMaterial.hash(fixedKey.get());
                if (existing.isPresent() && existing.get().secretHash().equals(hash)) {
                    return Optional.<String>empty();
                }
                existing.ifPresent(k -> store.deleteKey(h, Account.PLATFORM, k.keyId()));
                insertBootstrap(h, hash);
                return Optional.<String>empty();
            }
            if (existing.isPresent() || store.hasLiveOperatorKey(h)) return Optional.<String>empty();
            String key = KeyMaterial.format(BOOTSTRAP_KEY_ID, keys.newSecret());
            insertBootstrap(h, KeyMaterial.hash(key));
            deliver.accept(key);
            return Optional.of(key);
        });
    }

    private void insertBootstrap(Handle h, String hash) {
        var key = new ApiKey(
                Account.PLATFORM,
                BOOTSTRAP_KEY_ID,
                hash,
                Set.of(Scope.OPERATOR),
                "bootstrap operator key",
                clock.instant(),
                null);
        store.insertKey(h, key, "system");
        audit.append(
                h,
                AuditEvent.ok(
                        Account.PLATFORM,
                        Actor.SYSTEM,
                        "key.create",
                        List.of("key:" + BOOTSTRAP_KEY_ID),
                        Map.of("scopes", List.of("operator"))));
    }

    /** Who is calling, or 401. The secret is compared in constant time against its stored hash. */
    public Caller authenticate(String presentedKey, String sourceAddress) {
        if (presentedKey == null || presentedKey.isBlank()) {
            throw new UnauthenticatedException("Missing API key: send 'Authorization: Bearer <key>'.");
        }
        var parsed = KeyMaterial.parse(presentedKey).filter(p -> !p[0].equals(BOOTSTRAP_KEY_ID));
        var key = jdbi.withHandle(h -> {
            if (parsed.isPresent()) {
                var generated = store.findKey(h, parsed.get()[0]);
                if (generated.isPresent()
                        && KeyMaterial.matches(parsed.get()[1], generated.get().secretHash())) {
                    return generated;
                }
            }
            // The bootstrap key may be any string an operator chose, even one shaped like
            // lethe_<id>_<secret>, so it is hashed whole.
            return store.findKey(h, BOOTSTRAP_KEY_ID).filter(k -> KeyMaterial.matches(presentedKey, k.secretHash()));
        });
        if (key.isEmpty() || key.get().revokedAt() != null) {
            throw new UnauthenticatedException("Invalid or revoked API key.");
        }
        return new Caller(key.get().accountId(), key.get().keyId(), key.get().scopes(), sourceAddress);
    }

    public CreatedAccount createAccount(Caller operator, String name) {
        requireOperator(operator);
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidInputException(
                    "The account is not valid.", List.of(new FieldError("name", "must be 1 to 200 characters")));
        }
        return jdbi.inTransaction(h -> {
            var account = new Account(keys.newAccountId(), name.strip(), clock.instant(), null, false);
            store.insertAccount(h, account);
            audit.createChain(h, account.id());
            var created = newKey(account.id(), EnumSet.of(Scope.ADMIN), "first admin key");
            store.insertKey(h, created.key(), operator.keyId());
            var detail = Map.<String, Object>of("adminKey", created.key().keyId());
            auditOperatorAction(h, operator, account.id(), "account.create", detail);
            return new CreatedAccount(account, created.presented());
        });
    }

    public List<Account> listAccounts(Caller operator) {
        requireOperator(operator);
        return jdbi.withHandle(store::listAccounts);
    }

    /** Every account's id (not the platform's), oldest first: what scheduled jobs walk. */
    public List<String> accountIds() {
        return jdbi.withHandle(
                h -> store.listAccounts(h).stream().map(Account::id).toList());
    }

    public Account account(String accountId) {
        if (!Ids.isId(accountId)) throw new NotFoundException("No such account.");
        return jdbi.withHandle(h -> store.findAccount(h, accountId))
                .orElseThrow(() -> new NotFoundException("No such account."));
    }

    /** The contract end is a retention trigger ({@code contract_ended}). */
    public Account setContractEnd(Caller operator, String accountId, Instant endedAt) {
        requireOperator(operator);
        return jdbi.inTransaction(h -> {
            store.findAccount(h, accountId).orElseThrow(() -> new NotFoundException("No such account."));
            store.setContractEnd(h, accountId, endedAt);
            var detail = Map.<String, Object>of("endedAt", String.valueOf(endedAt));
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId, operator.actor(), "account.contract", List.of("account:" + accountId), detail));
            return store.findAccount(h, accountId).orElseThrow();
        });
    }

    /** Opting in to (or out of) publishing the notices without authentication. */
    public void setNoticesPublic(Caller admin, boolean published) {
        requireScope(admin, Scope.ADMIN);
        jdbi.useTransaction(h -> {
            store.setNoticesPublic(h, admin.accountId(), published);
            audit.append(
                    h,
                    AuditEvent.ok(
                            admin.accountId(),
                            admin.actor(),
                            "account.notices.publish",
                            List.of("account:" + admin.accountId()),
                            Map.of("public", published)));
        });
    }

    /**
     * A new key for the caller's account. Admins make admin, read and ingest keys; only an operator
     * makes operator keys (for the platform).
     */
    /** The longest key label and extension reason kept (their columns' sizes). */
    public static final int MAX_LABEL = 200;

    public static final int MAX_REASON = 500;

    public CreatedKey createKey(Caller caller, Set<Scope> scopes, String label) {
        var problems = new ArrayList<FieldError>();
        if (scopes.isEmpty()) problems.add(new FieldError("scopes", "must name at least one scope"));
        if (label != null && label.length() > MAX_LABEL)
            problems.add(new FieldError("label", "must be at most " + MAX_LABEL + " characters"));
        if (!problems.isEmpty()) throw new InvalidInputException("The key is not valid.", problems);
        if (caller.isOperator()) {
            if (!scopes.equals(Set.of(Scope.OPERATOR))) {
                throw new InvalidInputException(
                        "The key is not valid.",
                        List.of(new FieldError(
                                "scopes",
                                "an operator key makes only operator keys; use an account's admin key for the rest")));
            }
        } else {
            requireScope(caller, Scope.ADMIN);
            if (scopes.contains(Scope.OPERATOR)) {
                throw new ForbiddenException(
                        "Only the operator makes operator keys.",
                        List.of(new FieldError("scopes", "operator is not allowed here")));
            }
        }
        return jdbi.inTransaction(h -> {
            var created = newKey(caller.accountId(), scopes, label);
            store.insertKey(h, created.key(), caller.keyId());
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "key.create",
                            List.of("key:" + created.key().keyId()),
                            Map.of(
                                    "scopes",
                                    scopes.stream()
                                            .map(Scope::wireName)
                                            .sorted()
                                            .toList())));
            return new CreatedKey(created.key().keyId(), scopes, created.presented());
        });
    }

    public List<ApiKey> listKeys(Caller admin) {
        requireScope(admin, admin.isOperator() ? Scope.OPERATOR : Scope.ADMIN);
        return jdbi.withHandle(h -> store.listKeys(h, admin.accountId()));
    }

    public void revokeKey(Caller admin, String keyId) {
        requireScope(admin, admin.isOperator() ? Scope.OPERATOR : Scope.ADMIN);
        jdbi.useTransaction(h -> {
            if (!store.revokeKey(h, admin.accountId(), keyId, clock.instant())) {
                throw new NotFoundException("No such live key in this account.");
            }
            audit.append(
                    h,
                    AuditEvent.ok(admin.accountId(), admin.actor(), "key.revoke", List.of("key:" + keyId), Map.of()));
        });
    }

    /** The operator lets one account keep a category or record longer than the default allows. */
    public RetentionExtension approveExtension(
            Caller operator, String accountId, String target, Period maxPeriod, String reason) {
        requireOperator(operator);
        var errors = new ArrayList<FieldError>();
        if (target == null || !target.matches("(categories|records)\\.[a-z][a-z0-9_]*")) {
            errors.add(new FieldError("target", "must be categories.<name> or records.<name>"));
        }
        if (maxPeriod == null) errors.add(new FieldError("maxPeriod", "must be an ISO-8601 period such as P3Y"));
        if (reason == null || reason.isBlank()) errors.add(new FieldError("reason", "must say why"));
        else if (reason.strip().length() > MAX_REASON)
            errors.add(new FieldError("reason", "must be at most " + MAX_REASON + " characters"));
        if (!errors.isEmpty()) throw new InvalidInputException("The extension is not valid.", errors);
        return jdbi.inTransaction(h -> {
            store.findAccount(h, accountId).orElseThrow(() -> new NotFoundException("No such account."));
            var extension = new RetentionExtension(
                    accountId, target, maxPeriod, reason.strip(), operator.keyId(), clock.instant());
            store.upsertExtension(h, extension);
            var detail = Map.<String, Object>of("target", target, "maxPeriod", maxPeriod.toString());
            auditOperatorAction(h, operator, accountId, "retention.extension.approve", detail);
            return extension;
        });
    }

    public List<RetentionExtension> extensions(String accountId) {
        return jdbi.withHandle(h -> store.listExtensions(h, accountId));
    }

    /** An operator's act on an account is recorded in that account's chain and in the platform's. */
    private void auditOperatorAction(
            Handle h, Caller operator, String accountId, String action, Map<String, Object> detail) {
        for (String chain : List.of(accountId, Account.PLATFORM)) {
            audit.append(h, AuditEvent.ok(chain, operator.actor(), action, List.of("account:" + accountId), detail));
        }
    }

    public static void requireOperator(Caller caller) {
        if (!caller.isOperator()) throw new ForbiddenException("This needs an operator key.");
    }

    public static void requireScope(Caller caller, Scope scope) {
        if (!caller.may(scope)) {
            throw new ForbiddenException("This needs a key with the '" + scope.wireName() + "' scope.");
        }
    }

    private record NewKey(ApiKey key, String presented) {}

    private NewKey newKey(String accountId, Set<Scope> scopes, String label) {
        String keyId = keys.newKeyId();
        String secret = keys.newSecret();
        var key = new ApiKey(accountId, keyId, KeyMaterial.hash(secret), scopes, label, clock.instant(), null);
        return new NewKey(key, KeyMaterial.format(keyId, secret));
    }
}
