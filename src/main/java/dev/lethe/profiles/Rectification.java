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
import dev.lethe.registry.Intake;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Rectification (GDPR Art. 16): a profile's traits corrected. The values held of each corrected
 * field are deleted and the new ones sealed under the person's key, classified by the policy as
 * identify classifies them; a filterable custom field's index follows. Audited with the field
 * names, never the values.
 */
public final class Rectification {

    /** What a rectification did: the fields corrected, and values dropped (their category is off). */
    public record Rectified(String profileId, List<String> fields, int dropped) {}

    private final SubjectDirectory subjects;
    private final PersonalValues values;
    private final ProfileIndexes indexes;
    private final PolicyService policies;
    private final AuditLog audit;
    private final Transactions transactions;
    private final Clock clock;

    public Rectification(
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

    /** {@code PATCH /v1/profiles/{id}}: corrects these traits in a transaction of its own. */
    public Rectified rectify(Caller caller, String profileId, Map<String, Sensitive> traits) {
        AccountService.requireScope(caller, Scope.ADMIN);
        return transactions.inTransaction(h -> {
            var locked = subjects.lockNamed(h, caller.accountId(), List.of(profileId));
            return rectify(h, caller, locked, profileId, traits);
        });
    }

    /**
     * Corrects these traits in the caller's transaction; the person is locked already (a
     * rectification request applies its changes here). Every problem is reported at once and
     * nothing changes.
     */
    public Rectified rectify(
            Handle h, Caller caller, SubjectDirectory.Locked locked, String profileId, Map<String, Sensitive> traits) {
        String accountId = caller.accountId();
        Subject person = locked.get(profileId);
        if (person == null || !person.identified()) throw new NotFoundException("No such profile.");
        if (locked.isErased(profileId)) {
            throw new GoneException("This profile's data was erased (its key was destroyed).");
        }
        Policy policy = policies.requireInForce(accountId).policy();
        Instant now = clock.instant();
        var errors = new ArrayList<FieldError>();
        var fields = new LinkedHashMap<String, List<Sensitive>>();
        if (traits.isEmpty()) errors.add(new FieldError("traits", "give at least one trait to correct"));
        traits.forEach((name, value) -> {
            if (value.isList()) {
                errors.add(new FieldError("traits." + name, "must be one value, not a list"));
                return;
            }
            var custom = policy.customFields().get(name);
            if (custom == null) {
                fields.put("traits." + name, List.of(value));
                return;
            }
            var given = custom.arriving(value.value());
            if (given.isEmpty() || !custom.type().accepts(given.get()))
                errors.add(new FieldError(
                        "traits." + name,
                        "must be one " + custom.type().wireName() + " (custom field '" + custom.displayName() + "')"));
            else fields.put("traits." + name, List.of(new Sensitive(given.get())));
        });
        var intake =
                Intake.sort(fields, f -> Classification.ofIdentifier(policy, f, person.subjectType()), now, now, "");
        errors.addAll(intake.refused());
        if (!errors.isEmpty()) throw new InvalidInputException("The correction is not valid.", errors);
        var corrected =
                intake.kept().stream().map(Intake.Kept::field).distinct().toList();
        values.deleteFields(h, accountId, profileId, corrected);
        var rule = GoverningRules.forSubject(policy, RecordKind.PROFILE, person.subjectType());
        var stored = new ArrayList<NewValue>();
        for (var k : intake.kept()) {
            stored.add(new NewValue(
                    profileId,
                    k.category(),
                    k.field(),
                    now,
                    "profile",
                    profileId,
                    rule.map(RecordRule::name).orElse(null),
                    rule.map(r -> GoverningRules.anchor(r, Times.collected(now)))
                            .orElse(now),
                    k.value()));
        }
        values.store(h, accountId, stored);
        for (var v : stored) {
            var custom = policy.customFields().get(v.field().substring("traits.".length()));
            if (custom != null && custom.filterable())
                indexes.indexField(h, accountId, profileId, custom, v.value().value(), v.category(), now);
        }
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        caller.actor(),
                        "profile.rectify",
                        List.of("profile:" + profileId),
                        Map.of("fields", corrected, "dropped", intake.dropped())));
        return new Rectified(profileId, corrected, intake.dropped());
    }

    /**
     * Removes every value a person holds of these fields (an import's {@code clear-empty} empty
     * cell), in the caller's transaction with the person locked: the values are deleted as a
     * correction deletes the ones it replaces, and a filterable custom field's index with them.
     * Audited with the field names. Returns how many values went.
     */
    public int clear(Handle h, Caller caller, String profileId, List<String> fields) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        Policy policy = policies.requireInForce(accountId).policy();
        int removed = values.deleteFields(h, accountId, profileId, fields);
        for (String field : fields) {
            if (!field.startsWith("traits.")) continue;
            var custom = policy.customFields().get(field.substring("traits.".length()));
            if (custom != null && custom.filterable()) indexes.unindexField(h, accountId, profileId, custom);
        }
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        caller.actor(),
                        "profile.rectify",
                        List.of("profile:" + profileId),
                        Map.of("fields", fields, "removed", removed)));
        return removed;
    }
}
