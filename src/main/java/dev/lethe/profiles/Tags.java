package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.activity.GoverningRules;
import dev.lethe.activity.GoverningRules.Times;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.registry.Classification;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.NewValue;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * Tags on profiles. A tag is a personal value (field {@code traits.tags}, under the category the
 * policy maps it to) plus a blind index for filtering.
 */
public final class Tags {

    /** The field tags are kept under, as personal values. */
    static final String FIELD = "traits.tags";

    private final SubjectDirectory subjects;
    private final PersonalValues values;
    private final ProfileIndexes indexes;
    private final PolicyService policies;
    private final AuditLog audit;
    private final Transactions transactions;
    private final Clock clock;

    public Tags(
            SubjectDirectory subjects,
            PersonalValues values,
            ProfileIndexes indexes,
            PolicyService policies,
            AuditLog audit,
            Transactions transactions,
            Clock clock) {
        this.subjects = subjects;
        this.values = values;
        this.indexes = indexes;
        this.policies = policies;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Adds and removes tags on a profile; returns the tags it carries then. */
    public List<String> tag(Caller caller, String profileId, List<String> add, List<String> remove) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        Policy policy = policies.requireInForce(accountId).policy();
        String category = check(policy, add);
        Instant now = clock.instant();
        return transactions.inTransaction(h -> {
            // lock order (docs/locks.md): the profile, then its key
            var locked = subjects.lockNamed(h, accountId, List.of(profileId));
            Subject profile = Optional.ofNullable(locked.get(profileId))
                    .filter(Subject::identified)
                    .orElseThrow(() -> new NotFoundException("No such profile."));
            if (locked.isErased(profileId)) {
                throw new GoneException("This profile's data was erased (its key was destroyed); it takes no tags.");
            }
            var rule = GoverningRules.forSubject(policy, RecordKind.PROFILE, profile.subjectType());
            var current = currentTags(h, accountId, profileId);
            var added = new ArrayList<NewValue>();
            for (String t : add) {
                String tag = t.strip();
                // tags match regardless of case, as the tag filter does: FOO is the tag Foo again
                if (current.stream().anyMatch(tag::equalsIgnoreCase)) continue;
                current.add(tag);
                added.add(new NewValue(
                        profileId,
                        category,
                        FIELD,
                        now,
                        "profile",
                        profileId,
                        rule.map(RecordRule::name).orElse(null),
                        rule.map(r -> GoverningRules.anchor(r, Times.collected(now)))
                                .orElse(now),
                        new Sensitive(tag)));
                indexes.addTag(h, accountId, profileId, tag, category, now);
            }
            values.store(h, accountId, added);
            var removing = new HashSet<String>();
            for (String t : remove) {
                String tag = t.strip();
                // removing foo removes Foo: the value as it was stored, whatever its case
                current.stream().filter(tag::equalsIgnoreCase).forEach(removing::add);
                current.removeIf(tag::equalsIgnoreCase);
                indexes.removeTag(h, accountId, profileId, tag);
            }
            values.deleteMatching(h, accountId, profileId, FIELD, removing);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "profile.tags",
                            List.of("profile:" + profileId),
                            Map.of("added", added.size(), "removed", removing.size())));
            return List.copyOf(current);
        });
    }

    /** The category tags are kept under (null when the policy keeps none), or every problem at once. */
    private static String check(Policy policy, List<String> add) {
        var errors = new ArrayList<FieldError>();
        String category = null;
        switch (Classification.of(policy, FIELD)) {
            case Classification.Kept k -> category = k.category().name();
            case Classification.Dropped d -> {
                if (!add.isEmpty())
                    errors.add(new FieldError(
                            "add", "tags are switched off: category '" + d.category() + "' is disabled"));
            }
            case Classification.Rejected r -> {
                if (!add.isEmpty())
                    errors.add(new FieldError("add", "tags have no category: map traits.tags in the policy's fields"));
            }
        }
        for (int i = 0; i < add.size(); i++) {
            if (add.get(i).isBlank() || add.get(i).length() > 100)
                errors.add(new FieldError("add[" + i + "]", "a tag is 1 to 100 characters"));
        }
        if (!errors.isEmpty()) throw new InvalidInputException("The tags are not valid.", errors);
        return category;
    }

    private List<String> currentTags(Handle h, String accountId, String profileId) {
        return values.ofSubject(h, accountId, profileId).stream()
                .filter(v -> v.field().equals(FIELD))
                .map(v -> v.value().value())
                .distinct()
                .collect(Collectors.toCollection(ArrayList::new));
    }
}
