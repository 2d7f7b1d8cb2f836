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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
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
    private final PolicyReferences references;
    private final Clock clock;
    private final List<PolicyPublished> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public PolicyService(
            Jdbi jdbi,
            PolicyStore store,
            AccountService accounts,
            AuditLog audit,
            PolicyReferences references,
            Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.accounts = accounts;
        this.audit = audit;
        this.references = references;
        this.clock = clock;
    }

    /**
     * Adds a listener told of every account's new policy version in its transaction (the
     * composition root wires sub-processor change notices here; the platform default tells none).
     */
    public void onPublished(PolicyPublished listener) {
        listeners.add(listener);
    }

    /**
     * A version just accepted, with the custom fields it kept from the version before (the
     * document did not mention them) and those it replaced (the document maps their trait in
     * {@code fields} itself).
     */
    public record Submitted(PolicyVersion version, List<String> customFieldsKept, List<String> customFieldsReplaced) {}

    /**
     * Accepts a policy for the caller's account (an admin) or, from an operator, as the platform
     * default. Every error is reported at once (422); a retention beyond the operator's bounds is
     * refused with the offending paths (403). Nothing changes unless it is accepted.
     *
     * <p>Custom fields are added and removed by their own routes, so a document that does not
     * mention one keeps it: a new version never drops a field silently. A document that declares
     * a field differently (under customFields, or its trait under fields) replaces it; one that
     * would leave a saved segment filtering on a field it removes or changes is refused (409).
     */
    public Submitted submit(Caller caller, String text, boolean json) {
        String accountId = caller.isOperator() ? Account.PLATFORM : caller.accountId();
        if (!caller.isOperator()) AccountService.requireScope(caller, Scope.ADMIN);
        var read = PolicyReader.read(text, json);
        if (!read.ok()) throw new InvalidInputException("The policy is not valid.", read.errors());
        if (!caller.isOperator()) requireWithinBounds(caller, accountId, read.policy());
        return jdbi.inTransaction(h -> {
            store.lockVersions(h, accountId); // two submissions at once get consecutive versions
            var carried = CarriedFields.between(store.latest(h, accountId).map(PolicyVersion::policy), read.policy());
            Policy policy = read.policy().withCustomFields(carried.kept());
            var errors = carried.explained(PolicyReader.check(policy));
            if (!errors.isEmpty()) throw new InvalidInputException("The policy is not valid.", errors);
            String source = PolicyText.withCustomFields(text, json, carried.kept(), policy);
            var version = commit(h, caller, accountId, source, json, policy, Map.of());
            return new Submitted(version, List.copyOf(carried.kept().keySet()), carried.replaced());
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

    private void requireWithinBounds(Caller caller, String accountId, Policy policy) {
        var violations = beyondBounds(accountId, policy);
        if (violations.isEmpty()) return;
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

    /**
     * Adds a custom profile field: a new policy version, the account's policy in force plus the
     * field (409 when the key is taken). Bounds and every other rule apply as for any version. The
     * version's text is the one in force with the field added, in its own format.
     */
    public PolicyVersion addCustomField(Caller caller, CustomField field) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        return jdbi.inTransaction(h -> {
            store.lockVersions(h, accountId);
            var current = inForce(h, accountId);
            if (current.policy().customFields().containsKey(field.key())
                    || current.policy().fields().containsKey(field.field())) {
                throw new ConflictException(
                        "This field exists already.",
                        List.of(new FieldError("key", "'" + field.key() + "' is already a field of this account")));
            }
            Policy policy = current.policy().withCustomFields(Map.of(field.key(), field));
            var errors = PolicyReader.check(policy);
            if (!errors.isEmpty()) throw new InvalidInputException("The policy is not valid.", errors);
            requireWithinBounds(caller, accountId, policy);
            boolean json = current.isJson();
            String source = PolicyText.withCustomFields(current.source(), json, Map.of(field.key(), field), policy);
            return commit(h, caller, accountId, source, json, policy, Map.of("customFieldAdded", field.key()));
        });
    }

    /**
     * Removes a custom profile field: a new policy version, the one in force without it (404 when
     * there is no such field; 409 while a saved segment filters on it). Values already stored stay
     * under their category, and go by its retention rule.
     */
    public PolicyVersion removeCustomField(Caller caller, String key) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        return jdbi.inTransaction(h -> {
            store.lockVersions(h, accountId);
            var current = inForce(h, accountId);
            if (!current.policy().customFields().containsKey(key)) {
                throw new NotFoundException("No such custom field in this account's policy.");
            }
            Policy policy = current.policy().withoutCustomField(key);
            var errors = PolicyReader.check(policy);
            if (!errors.isEmpty()) throw new InvalidInputException("The policy is not valid.", errors);
            boolean json = current.isJson();
            String source = PolicyText.withoutCustomField(current.source(), json, key, policy);
            return commit(h, caller, accountId, source, json, policy, Map.of("customFieldRemoved", key));
        });
    }

    /** The version in force, read on the caller's handle. */
    private PolicyVersion inForce(Handle h, String accountId) {
        return store.latest(h, accountId)
                .or(() -> store.latest(h, Account.PLATFORM))
                .orElseThrow(() -> new NotFoundException("This account has no policy yet: PUT /v1/policy first."));
    }

    /**
     * Stores a checked policy as the account's next version, unless saved segments rely on what
     * it removes (409 naming each); the audit entry is written in the same transaction.
     */
    private PolicyVersion commit(
            Handle h,
            Caller caller,
            String accountId,
            String source,
            boolean json,
            Policy policy,
            Map<String, Object> detail) {
        var broken = references.brokenBy(h, accountId, policy);
        if (!broken.isEmpty()) {
            throw new ConflictException(
                    "Saved segments filter on custom fields this version removes or changes: change or delete them first.",
                    broken);
        }
        var previous = inForceOn(h, accountId).map(PolicyVersion::policy);
        int number = store.nextVersion(h, accountId);
        var version = new PolicyVersion(
                accountId,
                number,
                source,
                json ? "application/json" : "application/yaml",
                policy,
                caller.keyId(),
                clock.instant());
        store.insert(h, version, PolicyWriter.json(policy));
        if (!caller.isOperator()) {
            for (var listener : listeners) listener.published(h, accountId, previous, version);
        }
        var audited = new LinkedHashMap<String, Object>(detail);
        audited.put("version", number);
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        caller.actor(),
                        caller.isOperator() ? "policy.default.change" : "policy.change",
                        List.of("policy:" + number),
                        audited));
        return version;
    }

    /** The policy in force for an account: its own latest version, else the platform default. */
    /**
     * Holds the account's policy versions until the transaction of {@code h} ends: a new version
     * (one that would drop or change a custom field) waits, so what is checked against the
     * policy in force now stays true until it is committed.
     */
    public void holdVersions(Handle h, String accountId) {
        store.lockVersions(h, accountId);
    }

    /** The policy in force, read on the caller's handle (in its transaction); empty when none. */
    public Optional<PolicyVersion> inForceOn(Handle h, String accountId) {
        return store.latest(h, accountId).or(() -> store.latest(h, Account.PLATFORM));
    }

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
