package dev.lethe.retention;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.registry.Durations;
import dev.lethe.registry.PolicyService;
import dev.lethe.storage.Ids;
import dev.lethe.subjects.SubjectStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Legal holds: placed by an admin for one person, one data category or the whole account, with a
 * reason and an optional end; listed; released. Sweeps and their previews ask {@link #filter} which
 * data an active hold keeps. Releasing a hold also destroys its key, and with it what an erasure
 * kept under the hold (docs/keys.md): held data of an erased person is then gone for good.
 */
public final class LegalHolds {

    /** The longest reason kept (its column's size). */
    static final int MAX_REASON = 500;

    private final Jdbi jdbi;
    private final LegalHoldStore store;
    private final SubjectStore subjects;
    private final PolicyService policies;
    private final Keyring keyring;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;

    public LegalHolds(
            Jdbi jdbi,
            LegalHoldStore store,
            SubjectStore subjects,
            PolicyService policies,
            Keyring keyring,
            AuditLog audit,
            Ids ids,
            Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.subjects = subjects;
        this.policies = policies;
        this.keyring = keyring;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * A hold to place: exactly one of a profile, a category or the whole account.
     *
     * @param account true for a hold on everything the account holds
     */
    public record Placement(String profileId, String category, Boolean account, String reason, Instant until) {}

    /** Places a hold (admin); every mistake at once, nothing placed then. */
    public LegalHold place(Caller caller, Placement p) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            var errors = new ArrayList<FieldError>();
            boolean wholeAccount = Boolean.TRUE.equals(p.account());
            int given = (p.profileId() != null ? 1 : 0) + (p.category() != null ? 1 : 0) + (wholeAccount ? 1 : 0);
            if (given != 1)
                errors.add(new FieldError(
                        "",
                        "give exactly one of profileId, category or account: true (what the hold keeps), not "
                                + given));
            if (p.account() != null && !wholeAccount)
                errors.add(new FieldError("account", "is true for a hold on the whole account, or left out"));
            if (p.profileId() != null
                    && (!Ids.isId(p.profileId())
                            || subjects.find(h, accountId, p.profileId()).isEmpty()))
                errors.add(new FieldError("profileId", "no such profile in this account"));
            if (p.category() != null) {
                var categories = policies.inForce(accountId)
                        .map(v -> v.policy().categories().keySet())
                        .orElse(Set.of());
                if (!categories.contains(p.category()))
                    errors.add(new FieldError(
                            "category",
                            "no such category in the policy in force (" + String.join(", ", categories) + ")"));
            }
            String reason = p.reason() == null ? null : p.reason().strip();
            if (reason == null || reason.isEmpty() || reason.length() > MAX_REASON)
                errors.add(new FieldError(
                        "reason",
                        "is required: 1 to " + MAX_REASON + " characters naming the case, never a person's data"));
            if (p.until() != null) {
                if (!p.until().isAfter(now)) errors.add(new FieldError("until", "must be in the future"));
                else if (p.until()
                        .isAfter(now.atOffset(ZoneOffset.UTC)
                                .plus(Durations.LONGEST)
                                .toInstant()))
                    errors.add(new FieldError(
                            "until", "must be at most " + Durations.LONGEST.getYears() + " years ahead"));
            }
            if (!errors.isEmpty()) throw new InvalidInputException("The legal hold is not valid.", errors);
            var scope = wholeAccount
                    ? LegalHold.Scope.ACCOUNT
                    : p.profileId() != null ? LegalHold.Scope.PROFILE : LegalHold.Scope.CATEGORY;
            var hold = new LegalHold(
                    ids.next(),
                    scope,
                    p.profileId(),
                    p.category(),
                    reason,
                    p.until(),
                    now,
                    caller.actor().id(),
                    null,
                    null);
            store.insert(h, accountId, hold);
            audit.append(h, AuditEvent.ok(accountId, caller.actor(), "legal_hold.place", targets(hold), detail(hold)));
            return hold;
        });
    }

    /** The account's holds (read), newest first; released or ended ones too when asked. */
    public List<LegalHold> list(Caller caller, boolean released) {
        AccountService.requireScope(caller, Scope.READ);
        return jdbi.withHandle(h -> store.list(h, caller.accountId(), released));
    }

    /**
     * Releases a hold (admin): data it kept follows its rules again from the next sweep, and what
     * an erasure kept under it is destroyed now with the hold's key.
     */
    public LegalHold release(Caller caller, String holdId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            var hold = store.lock(h, accountId, holdId).orElseThrow(() -> new NotFoundException("No such legal hold."));
            if (hold.releasedAt() != null)
                throw new ConflictException(
                        "This legal hold was released already.",
                        List.of(new FieldError("id", "released at " + hold.releasedAt())));
            store.release(h, accountId, holdId, now, caller.actor().id());
            int destroyed = keyring.releaseHold(h, accountId, holdId);
            var detail = new LinkedHashMap<String, Object>(detail(hold));
            detail.put("heldKeysDestroyed", destroyed);
            audit.append(h, AuditEvent.ok(accountId, caller.actor(), "legal_hold.release", targets(hold), detail));
            return new LegalHold(
                    hold.holdId(),
                    hold.scope(),
                    hold.subjectId(),
                    hold.category(),
                    hold.reason(),
                    hold.until(),
                    hold.createdAt(),
                    hold.createdBy(),
                    now,
                    caller.actor().id());
        });
    }

    /**
     * Holds whose end ({@code until}) has passed are ended for good, as a release at that end would:
     * what an erasure kept under them is destroyed with their keys. Sweeps call this first. Returns
     * how many ended.
     */
    public int endPassed(String accountId, Instant now) {
        var passed = jdbi.withHandle(h -> store.list(h, accountId, false)).stream()
                .filter(hold -> hold.until() != null && !hold.until().isAfter(now))
                .toList();
        for (var hold : passed) {
            jdbi.useTransaction(h -> {
                var locked = store.lock(h, accountId, hold.holdId());
                if (locked.isEmpty() || locked.get().releasedAt() != null) return;
                store.release(h, accountId, hold.holdId(), hold.until(), "system");
                int destroyed = keyring.releaseHold(h, accountId, hold.holdId());
                var detail = new LinkedHashMap<String, Object>(detail(hold));
                detail.put("heldKeysDestroyed", destroyed);
                audit.append(
                        h,
                        AuditEvent.ok(
                                accountId, dev.lethe.audit.Actor.SYSTEM, "legal_hold.end", targets(hold), detail));
            });
        }
        return passed.size();
    }

    /**
     * The holds active at {@code at}, as the one filter a sweep and its preview share, read in the
     * transaction of {@code h}.
     */
    public HoldFilter filter(Handle h, String accountId, Instant at) {
        return new HoldFilter(store.list(h, accountId, true), at);
    }

    /**
     * The holds active at {@code at} that may keep data of any of {@code subjectIds} (the
     * account's, the categories', those on one of these people), locked together in id order in
     * one statement until the transaction ends, so none is released while an erasure keeps data
     * under its key: the account-level step of the lock order, taken before the people's
     * (docs/locks.md). One erasure passes its person; a bulk deletion's batch all of its people.
     * The filter answers for each person as their own would: a hold on one person covers only them.
     */
    public HoldFilter lockCovering(Handle h, String accountId, java.util.Collection<String> subjectIds, Instant at) {
        var people = Set.copyOf(subjectIds);
        var candidates = store.list(h, accountId, false).stream()
                .filter(hold -> hold.activeAt(at))
                .filter(hold -> hold.scope() != LegalHold.Scope.PROFILE || people.contains(hold.subjectId()))
                .map(LegalHold::holdId)
                .toList();
        // a hold released while this waited for its row is not one: re-read under the lock
        var locked = store.lockAll(h, accountId, candidates).stream()
                .filter(hold -> hold.releasedAt() == null && hold.activeAt(at))
                .toList();
        return new HoldFilter(locked, at);
    }

    /** Ids only: the reason is the account's words and stays out of the audit log. */
    private static List<String> targets(LegalHold hold) {
        var out = new ArrayList<String>();
        out.add("legal_hold:" + hold.holdId());
        if (hold.subjectId() != null) out.add("profile:" + hold.subjectId());
        if (hold.category() != null) out.add("category:" + hold.category());
        return out;
    }

    private static Map<String, Object> detail(LegalHold hold) {
        var out = new LinkedHashMap<String, Object>();
        out.put("scope", hold.scope().wireName());
        if (hold.until() != null) out.put("until", hold.until().toString());
        return out;
    }
}
