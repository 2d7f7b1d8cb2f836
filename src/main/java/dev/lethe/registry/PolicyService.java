package dev.lethe.registry;

import dev.lethe.accounts.Account;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.ForbiddenException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The policy registry: accepts new policy versions (checked in full, and against the operator's
 * bounds), serves the one in force, its history and diffs. The platform account's policy is the
 * operator's default: it bounds every account, and applies to accounts that have none of their own.
 */
public final class PolicyService {

    private final Jdbi jdbi;
    private final PolicyStore store;
    private final AccountService accounts;
    private final AuditLog audit;
    private final Clock clock;

    public PolicyService(Jdbi jdbi, PolicyStore store, AccountService accounts, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.accounts = accounts;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Accepts a policy for the caller's account (an admin) or, from an operator, as the platform
     * default. Every error is reported at once (422); a retention beyond the operator's bounds is
     * refused with the offending paths (403). Nothing changes unless it is accepted.
     */
    public PolicyVersion submit(Caller caller, String text, boolean json) {
        String accountId = caller.isOperator() ? Account.PLATFORM : caller.accountId();
        if (!caller.isOperator()) AccountService.requireScope(caller, Scope.ADMIN);
        var read = PolicyReader.read(text, json);
        if (!read.ok()) throw new InvalidInputException("The policy is not valid.", read.errors());
        if (!caller.isOperator()) {
            var violations = beyondBounds(accountId, read.policy());
            if (!violations.isEmpty()) {
                audit.append(new AuditEvent(
                        accountId,
                        caller.keyId(),
                        caller.sourceAddress(),
                        "policy.change",
                        List.of("policy"),
                        "denied",
                        Map.of(
                                "reason",
                                "beyond operator bounds",
                                "paths",
                                violations.stream().map(e -> e.path()).toList())));
                throw new ForbiddenException(
                        "The policy keeps data longer than the operator allows for this account.", violations);
            }
        }
        return jdbi.inTransaction(h -> {
            store.lockVersions(h, accountId); // two submissions at once get consecutive versions
            int number = store.nextVersion(h, accountId);
            var version = new PolicyVersion(
                    accountId,
                    number,
                    text,
                    json ? "application/json" : "application/yaml",
                    read.policy(),
                    caller.keyId(),
                    clock.instant());
            store.insert(h, version, PolicyWriter.json(read.policy()));
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            caller.isOperator() ? "policy.default.change" : "policy.change",
                            List.of("policy:" + number),
                            Map.of("version", number)));
            return version;
        });
    }

    /**
     * Checks a policy without saving it: 422 with every error if it is not valid, else the places
     * where it keeps data longer than the operator allows this account (empty when none).
     */
    public List<FieldError> check(Caller caller, String text, boolean json) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var read = PolicyReader.read(text, json);
        if (!read.ok()) throw new InvalidInputException("The policy is not valid.", read.errors());
        return beyondBounds(caller.accountId(), read.policy());
    }

    private List<FieldError> beyondBounds(String accountId, Policy policy) {
        var bound = platformDefault().map(PolicyVersion::policy).orElse(null);
        return OperatorBounds.violations(policy, bound, accounts.extensions(accountId));
    }

    /**
     * Adds a custom profile field: a new policy version, the account's policy in force plus the
     * field (409 when the key is taken). Bounds and every other rule apply as for any version.
     */
    public PolicyVersion addCustomField(Caller caller, CustomField field) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Policy current = requireInForce(caller.accountId()).policy();
        if (current.customFields().containsKey(field.key()) || current.fields().containsKey(field.field())) {
            throw new ConflictException(
                    "This field exists already.",
                    List.of(new FieldError("key", "'" + field.key() + "' is already a field of this account")));
        }
        return submit(caller, PolicyWriter.json(current.withCustomField(field)), true);
    }

    /** The policy in force for an account: its own latest version, else the platform default. */
    public Optional<PolicyVersion> inForce(String accountId) {
        return jdbi.withHandle(h -> store.latest(h, accountId)).or(this::platformDefault);
    }

    public PolicyVersion requireInForce(String accountId) {
        return inForce(accountId)
                .orElseThrow(() -> new NotFoundException("This account has no policy yet: PUT /v1/policy first."));
    }

    public Optional<PolicyVersion> platformDefault() {
        return jdbi.withHandle(h -> store.latest(h, Account.PLATFORM));
    }

    /** All versions of the account's own policy, newest first. */
    public List<PolicyVersion> versions(String accountId) {
        return jdbi.withHandle(h -> store.list(h, accountId));
    }

    public PolicyVersion version(String accountId, int number) {
        return jdbi.withHandle(h -> store.find(h, accountId, number))
                .orElseThrow(() -> new NotFoundException("No policy version " + number + " in this account."));
    }

    public PolicyDiff diff(String accountId, int from, int to) {
        return PolicyDiff.between(
                version(accountId, from).policy(), version(accountId, to).policy());
    }
}
