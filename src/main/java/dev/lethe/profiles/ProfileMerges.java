package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.SubjectKeyDestroyed;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.registry.PolicyService;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Merging two profiles that turned out to be one person. */
public final class ProfileMerges {

    private final SubjectStore subjects;
    private final ProfileMerge merge;
    private final AuditLog audit;
    private final Transactions transactions;
    private final PolicyService policies;

    public ProfileMerges(
            SubjectStore subjects,
            ProfileMerge merge,
            AuditLog audit,
            Transactions transactions,
            PolicyService policies) {
        this.policies = policies;
        this.subjects = subjects;
        this.merge = merge;
        this.audit = audit;
        this.transactions = transactions;
    }

    /**
     * Merges profile {@code otherId} into {@code survivorId}: everything of the other moves to the
     * survivor, values with the keys that sealed them (ownership moves, nothing is re-sealed); it
     * ceases to exist. Audited with both ids.
     */
    public Merged mergeProfiles(Caller caller, String survivorId, String from) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        String otherId = Ids.parse(from)
                .orElseThrow(() -> new InvalidInputException(
                        "The merge is not valid.", List.of(new FieldError("from", "no such profile in this account"))));
        if (survivorId.equals(otherId)) {
            throw new InvalidInputException(
                    "The merge is not valid.", List.of(new FieldError("from", "is the profile itself")));
        }
        return transactions.inTransaction(h -> {
            // Both rows locked, in id order, before anything is read: of two merges racing in
            // opposite directions (or one profile merged into several at once) the second finds
            // its source gone once the first commits, and changes nothing.
            var locked = subjects.lock(h, accountId, List.of(survivorId, otherId));
            Subject survivor = Optional.ofNullable(locked.get(survivorId))
                    .filter(Subject::identified)
                    .orElseThrow(() -> new NotFoundException("No such profile."));
            Subject other = Optional.ofNullable(locked.get(otherId))
                    .filter(Subject::identified)
                    .orElseThrow(() -> new InvalidInputException(
                            "The merge is not valid.",
                            List.of(new FieldError("from", "no such profile in this account"))));
            Merged merged;
            try {
                var policy = policies.requireInForce(accountId).policy();
                merged = merge.merge(h, accountId, policy, other, survivorId, survivor.subjectType());
            } catch (SubjectKeyDestroyed e) {
                throw new GoneException("A profile's data was erased (its key was destroyed); it cannot be merged.");
            }
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "profile.merge",
                            List.of("profile:" + survivorId, "profile:" + otherId),
                            Map.of(
                                    "values",
                                    merged.values(),
                                    "activity",
                                    merged.activity(),
                                    "identifiers",
                                    merged.identifiers())));
            return merged;
        });
    }
}
