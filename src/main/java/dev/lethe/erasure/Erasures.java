package dev.lethe.erasure;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.outbox.Webhooks;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.PolicyVersion;
import dev.lethe.retention.HoldFilter;
import dev.lethe.retention.LegalHold;
import dev.lethe.retention.LegalHolds;
import dev.lethe.retention.RuleHolds;
import dev.lethe.storage.Ids;
import dev.lethe.storage.SqlStates;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.SubjectTable;
import dev.lethe.subjects.Suppressions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erasure (DESIGN promise 2): a person's data made unreadable at once and then deleted, with a
 * receipt. In one transaction, under the lock order (the holds that may keep the person's data,
 * then the person): the person's keys are destroyed (crypto-shredding), categories under a legal
 * hold kept by wrapping their keys under the hold's key (nothing re-encrypted), categories whose
 * retention rule counts from the erasure ({@code after: erased}, a period) kept the same way under
 * a rule hold of their own ({@link RuleHolds}) until the sweep of that rule, the receipt's
 * counts taken, the erasure recorded and the person's identifiers put on the suppression list.
 * After the commit, and before the answer, the erasure is forced into the journal (outside the
 * database, so a restored backup gets it again); then the rows are purged in bounded batches. A
 * crash between the two is finished by {@link #purgePending} at start and by a recurring job.
 * Erasing again answers the same receipt.
 */
public final class Erasures {

    private final Webhooks webhooks;

    private static final Logger log = LoggerFactory.getLogger(Erasures.class);

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final SubjectDirectory subjects;
    private final Keyring keyring;
    private final LegalHolds holds;
    private final PolicyService policies;
    private final Suppressions suppressions;
    private final ErasureStore store;
    private final ErasureJournal journal;
    private final Purge purge;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;
    private final List<ShredHook> shredHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * What another feature does in an erasure's transaction, under the people's locks: once for
     * the people of one erasure or of a bulk deletion's batch.
     */
    @FunctionalInterface
    public interface ShredHook {
        void shredding(Handle h, String accountId, java.util.Collection<String> subjectIds);
    }

    /** Adds work done in every erasure's transaction (an export holding the person is withdrawn). */
    public void onShred(ShredHook hook) {
        shredHooks.add(hook);
    }

    public Erasures(
            Jdbi jdbi,
            Transactions transactions,
            SubjectDirectory subjects,
            Keyring keyring,
            LegalHolds holds,
            PolicyService policies,
            Suppressions suppressions,
            Purge purge,
            ErasureJournal journal,
            AuditLog audit,
            Ids ids,
            Clock clock,
            Webhooks webhooks) {
        this.webhooks = webhooks;
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.subjects = subjects;
        this.keyring = keyring;
        this.holds = holds;
        this.policies = policies;
        this.suppressions = suppressions;
        this.store = new ErasureStore();
        this.journal = journal;
        this.purge = purge;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Erases a person (admin) and answers the receipt, purged when the purge finished in time
     * (else {@code shredded}: nothing opens any more, and the purge job finishes). Erasing someone
     * already erased answers that erasure's receipt; 404 for someone never known.
     */
    public ErasureReceipt erase(Caller caller, String profileId, Optional<String> requestId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        check(requestId);
        var erased = transactions.inTransaction(h -> shred(h, caller, profileId, requestId));
        return erased.isNew() ? finish(caller.accountId(), erased.receipt()) : erased.receipt();
    }

    /**
     * Erases a person in the caller's transaction (a data-subject request marks itself done in the
     * same one): the keys are destroyed and the erasure recorded when it commits; after the commit
     * the journal entry is forced to disk and the rows purged, before the caller answers. Returns
     * the receipt as of the commit ({@code shredded}, or the earlier erasure's).
     */
    public ErasureReceipt erase(Handle h, Caller caller, String profileId, Optional<String> requestId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        check(requestId);
        var erased = shred(h, caller, profileId, requestId);
        if (erased.isNew()) h.afterCommit(() -> finish(caller.accountId(), erased.receipt()));
        return erased.receipt();
    }

    /**
     * {@link #erase(Handle, Caller, String, Optional)} for a caller that must tell its own erasures
     * from earlier ones (a bulk deletion counts each person once): the new erasure's receipt, or
     * empty when the person was erased already (before, or while this waited for their lock).
     * {@link NotFoundException} for someone never known.
     */
    public Optional<ErasureReceipt> eraseIfNotErased(Handle h, Caller caller, String profileId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var erased = shred(h, caller, profileId, Optional.empty());
        if (!erased.isNew()) return Optional.empty();
        h.afterCommit(() -> finish(caller.accountId(), erased.receipt()));
        return Optional.of(erased.receipt());
    }

    /**
     * {@link #eraseIfNotErased} for many people in the caller's transaction (a bulk deletion's
     * batch): each erased exactly as alone, in id order (the lock order). After the commit their
     * journal entries are written and forced to disk together, once, and their rows purged
     * together ({@link Purge#purgeAll}). Subject id → the new erasure's receipt, or empty when the
     * person was erased already. {@link NotFoundException} for someone never known.
     */
    public Map<String, Optional<ErasureReceipt>> eraseAllIfNotErased(
            Handle h, Caller caller, java.util.Collection<String> profileIds) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var out = new LinkedHashMap<String, Optional<ErasureReceipt>>();
        var fresh = new ArrayList<Shredded>();
        String accountId = caller.accountId();
        var policy = policyOnce(accountId); // read once for the batch, not once a person
        Instant now = clock.instant();
        // the lock order for the whole batch at once: the holds that may keep any of them in id
        // order, then all of them in id order; then counted and written together
        var sorted = new java.util.TreeSet<String>(profileIds);
        for (String profileId : sorted) if (!Ids.isId(profileId)) throw new NotFoundException("No such profile.");
        var ready = new LinkedHashMap<String, Lock>();
        for (var e : lockAll(h, accountId, sorted, now).entrySet()) {
            var lock = e.getValue();
            if (lock.earlier() != null) out.put(e.getKey(), Optional.empty());
            else if (lock.subjectType() == null) throw new NotFoundException("No such profile.");
            else ready.put(e.getKey(), lock);
        }
        if (ready.isEmpty()) return out;
        var censuses = store.censuses(h, accountId, ready.keySet());
        var identifiers = store.identifiersOf(h, accountId, ready.keySet());
        var writes = new Writes(accountId, caller.actor());
        for (var e : ready.entrySet()) {
            var erased = shredLocked(
                    h,
                    caller.actor(),
                    accountId,
                    e.getKey(),
                    null,
                    ids.next(),
                    now,
                    policy,
                    e.getValue(),
                    censuses.get(e.getKey()),
                    identifiers.getOrDefault(e.getKey(), List.of()),
                    now,
                    writes);
            fresh.add(erased);
            out.put(e.getKey(), Optional.of(erased.receipt()));
        }
        writes.flush(h);
        if (!fresh.isEmpty()) h.afterCommit(() -> finishAll(caller.accountId(), fresh));
        return out;
    }

    /** The erasures of these subjects, those erased (one query): subject id → the id of their erasure. */
    public Map<String, String> erasuresOf(Handle h, String accountId, java.util.Collection<String> subjectIds) {
        var out = new LinkedHashMap<String, String>();
        var valid = subjectIds.stream().filter(Ids::isId).toList();
        store.ofSubjects(h, accountId, valid).forEach((subject, r) -> out.put(subject, r.erasureId()));
        return out;
    }

    /** A receipt by its erasure id (read). */
    public ErasureReceipt receipt(Caller caller, String erasureId) {
        AccountService.requireScope(caller, Scope.READ);
        if (!Ids.isId(erasureId)) throw new NotFoundException("No such erasure.");
        return jdbi.withHandle(h -> store.find(h, caller.accountId(), erasureId))
                .orElseThrow(() -> new NotFoundException("No such erasure."));
    }

    /**
     * Finishes every erasure a crash left unpurged (journalled again first: the crash may have come
     * before its journal entry), and deletes suppression entries whose time is up. Returns how many
     * erasures it finished. Run at start and by the recurring job.
     */
    public int purgePending() {
        int finished = 0;
        List<ErasureStore.Pending> pending;
        do {
            pending = jdbi.withHandle(h -> store.pending(h, 100));
            for (var p : pending) {
                var entries = jdbi.withHandle(h -> suppressions.ofErasure(h, p.accountId(), p.erasureId()));
                var receipt = jdbi.withHandle(h -> store.find(h, p.accountId(), p.erasureId()))
                        .orElseThrow();
                journal.append(entry(p.accountId(), receipt, entries));
                purge.purge(p.accountId(), receipt);
                finished++;
            }
        } while (pending.size() == 100);
        int expired = transactions.inTransaction(h -> suppressions.deleteExpired(h, clock.instant()));
        if (finished > 0 || expired > 0)
            log.info(
                    "erasures finished after a restart or failure: {}, suppression entries expired: {}",
                    finished,
                    expired);
        return finished;
    }

    /**
     * Re-applies every journalled erasure the database does not know (it was restored from a
     * backup taken before): the person, found by id or by the journalled blind indexes, is erased
     * again and the suppression entries restored. Returns how many erasures were re-applied.
     */
    public int replay() {
        int applied = 0;
        var seen = new HashSet<String>();
        for (var entry : journal.entries()) {
            if (!seen.add(entry.accountId() + "/" + entry.erasureId())) continue;
            boolean known = jdbi.withHandle(h -> !store.accountExists(h, entry.accountId())
                    || store.exists(h, entry.accountId(), entry.erasureId()));
            if (known) continue;
            var again = transactions.inTransaction(h -> reapply(h, entry));
            again.forEach(receipt -> purge.purge(entry.accountId(), receipt));
            applied++;
        }
        if (applied > 0) log.info("erasures re-applied from the journal: {}", applied);
        return applied;
    }

    private record Shredded(ErasureReceipt receipt, boolean isNew, List<Suppressions.Entry> suppressed) {}

    private Shredded shred(Handle h, Caller caller, String profileId, Optional<String> requestId) {
        return shred(h, caller, profileId, requestId, policyOnce(caller.accountId()));
    }

    private Shredded shred(
            Handle h,
            Caller caller,
            String profileId,
            Optional<String> requestId,
            java.util.function.Supplier<Optional<Policy>> policy) {
        String accountId = caller.accountId();
        if (!Ids.isId(profileId)) throw new NotFoundException("No such profile.");
        var earlier = store.ofSubject(h, accountId, profileId);
        if (earlier.isPresent()) return new Shredded(earlier.get(), false, List.of());
        var erased = shredOne(
                h, caller.actor(), accountId, profileId, requestId.orElse(null), ids.next(), clock.instant(), policy);
        return erased.orElseThrow(() -> new NotFoundException("No such profile."));
    }

    /**
     * The erasure's transaction for one subject: holds locked, then the person; counts; keys
     * destroyed; record, suppression entries and audit entry written. Empty when the subject does
     * not exist; the earlier erasure when one committed while this one waited for the lock.
     * Categories an {@code after: erased} rule keeps are kept until {@code keptFrom} plus the rule's
     * period: now, or the journalled time of an erasure applied again.
     */
    private Optional<Shredded> shredOne(
            Handle h,
            Actor actor,
            String accountId,
            String subjectId,
            String requestId,
            String erasureId,
            Instant keptFrom,
            java.util.function.Supplier<Optional<Policy>> policyInForce) {
        Instant now = clock.instant();
        var lock = lock(h, accountId, subjectId, now);
        if (lock.earlier() != null) return Optional.of(lock.earlier());
        if (lock.subjectType() == null) return Optional.empty();
        // the receipt's counts, every table at once, taken under the person's lock
        var census = store.census(h, accountId, subjectId);
        var entries = subjects.store().identifiersOf(h, accountId, subjectId).stream()
                .map(i -> new Suppressions.Entry(i.kind(), i.blindIndex()))
                .toList();
        var writes = new Writes(accountId, actor);
        var shredded = shredLocked(
                h,
                actor,
                accountId,
                subjectId,
                requestId,
                erasureId,
                keptFrom,
                policyInForce,
                lock,
                census,
                entries,
                now,
                writes);
        writes.flush(h);
        return Optional.of(shredded);
    }

    /**
     * A person's locks, taken in the lock order (the holds that may keep their data, then the
     * person): the earlier erasure when there is one, else the person's type (null: no such person).
     */
    private record Lock(HoldFilter holdFilter, String subjectType, Shredded earlier) {}

    private Lock lock(Handle h, String accountId, String subjectId, Instant now) {
        return lockAll(h, accountId, new java.util.TreeSet<>(List.of(subjectId)), now)
                .get(subjectId);
    }

    /**
     * {@link #lock} for many people (a bulk deletion's batch), in three statements whatever their
     * number: the holds that may keep data of any of them, locked together in id order; then the
     * people, locked together in id order (docs/locks.md); then their earlier erasures, read
     * under their locks. Subject id → their lock, in id order.
     */
    private Map<String, Lock> lockAll(Handle h, String accountId, java.util.SortedSet<String> subjectIds, Instant now) {
        var holdFilter = holds.lockCovering(h, accountId, subjectIds, now);
        var locked = subjects.lockNamed(h, accountId, subjectIds);
        var earlier = store.ofSubjects(h, accountId, subjectIds);
        var out = new LinkedHashMap<String, Lock>();
        for (String subjectId : subjectIds) {
            var before = earlier.get(subjectId);
            var subject = locked.get(subjectId);
            out.put(
                    subjectId,
                    before != null
                            ? new Lock(holdFilter, null, new Shredded(before, false, List.of()))
                            : new Lock(holdFilter, subject == null ? null : subject.subjectType(), null));
        }
        return out;
    }

    /**
     * The writes of one or many erasures in one transaction, made together by {@link #flush} in
     * the order one erasure makes them (other features' hooks, keys, records, rule holds,
     * suppression entries, webhooks, audit last): a batch of people costs a fixed number of
     * statements, and one person the same statements as a batch of one.
     */
    private final class Writes {
        private final String accountId;
        private final Actor actor;
        private final List<String> subjectIds = new ArrayList<>();
        private final Map<String, Map<String, String>> ruleKeep = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> holdKeep = new LinkedHashMap<>();
        private final List<ErasureReceipt> receipts = new ArrayList<>();
        private final List<Runnable> ruleHolds = new ArrayList<>();
        private final Map<Instant, Map<String, List<Suppressions.Entry>>> suppress = new LinkedHashMap<>();
        private final List<Map<String, Object>> webhooks = new ArrayList<>();
        private final List<AuditEvent> audits = new ArrayList<>();

        Writes(String accountId, Actor actor) {
            this.accountId = accountId;
            this.actor = actor;
        }

        void flush(Handle h) {
            if (subjectIds.isEmpty()) return;
            // what other features hold of the people outside these tables (an export's file) goes
            // in this transaction too, under their locks
            for (var hook : shredHooks) hook.shredding(h, accountId, List.copyOf(subjectIds));
            // keys: a person with categories kept as alone (wrapped under the holds' keys first),
            // the rest together
            var plain = new ArrayList<String>();
            for (String subjectId : subjectIds) {
                var rules = ruleKeep.getOrDefault(subjectId, Map.of());
                var keep = holdKeep.getOrDefault(subjectId, Map.of());
                if (rules.isEmpty() && keep.isEmpty()) {
                    plain.add(subjectId);
                    continue;
                }
                keyring.keep(h, accountId, subjectId, rules);
                keyring.shred(h, accountId, subjectId, keep);
            }
            keyring.shredAll(h, accountId, plain);
            store.insertAll(h, accountId, receipts, actor.id());
            ruleHolds.forEach(Runnable::run);
            suppress.forEach((until, byErasure) -> suppressions.addAll(h, accountId, byErasure, until));
            Erasures.this.webhooks.notifyAll(h, accountId, "erasure.completed", webhooks);
            audit.appendAll(h, accountId, audits);
        }
    }

    /** The rest of {@link #shredOne}, the person locked and counted. */
    private Shredded shredLocked(
            Handle h,
            Actor actor,
            String accountId,
            String subjectId,
            String requestId,
            String erasureId,
            Instant keptFrom,
            java.util.function.Supplier<Optional<Policy>> policyInForce,
            Lock lock,
            ErasureStore.Census census,
            List<Suppressions.Entry> entries,
            Instant now,
            Writes writes) {
        var holdFilter = lock.holdFilter();
        var holdByCategory = new LinkedHashMap<String, LegalHold>();
        var held = new ArrayList<ErasureReceipt.HeldCategory>();
        int heldTotal = 0;
        for (var e : census.valuesByCategory().entrySet()) {
            var hold = holdFilter.holding(subjectId, e.getKey());
            if (hold.isEmpty()) continue;
            holdByCategory.put(e.getKey(), hold.get());
            held.add(new ErasureReceipt.HeldCategory(
                    e.getKey(), hold.get().holdId(), hold.get().reason(), e.getValue()));
            heldTotal += e.getValue();
        }
        // categories whose rule counts from the erasure: kept under a rule hold until it has run
        var policy = policyInForce.get();
        String subjectType = lock.subjectType();
        var ruleHoldByCategory = new LinkedHashMap<String, String>();
        var kept = new ArrayList<ErasureReceipt.KeptCategory>();
        int keptOnly = 0;
        for (var e : census.valuesByCategory().entrySet()) {
            var keeping = policy.flatMap(p -> RuleHolds.keeping(p, e.getKey(), subjectType, keptFrom));
            if (keeping.isEmpty()) continue;
            String holdId = ids.next();
            ruleHoldByCategory.put(e.getKey(), holdId);
            kept.add(new ErasureReceipt.KeptCategory(
                    e.getKey(),
                    keeping.get().rule(),
                    holdId,
                    e.getValue(),
                    keeping.get().until()));
            if (!holdByCategory.containsKey(e.getKey())) keptOnly += e.getValue();
        }
        var tables = new ArrayList<ErasureReceipt.TableRows>();
        for (var table : SubjectTable.values()) {
            int rows = switch (table) {
                case ERASURES -> 1; // this erasure's record, written below
                case SUBJECTS -> 1;
                case PERSONAL_VALUES -> census.rows().get(table) - heldTotal - keptOnly;
                case IDENTIFIERS,
                        EVENTS,
                        SESSIONS,
                        MESSAGES,
                        CONVERSATIONS,
                        GOAL_HITS,
                        FIELD_VALUES,
                        PROFILE_TAGS,
                        LEGAL_HOLDS,
                        OUTBOX,
                        CONSENTS,
                        CONSENT_PURPOSES,
                        CONSENT_MINORS,
                        REQUESTS,
                        EXPORT_SUBJECTS,
                        SUBJECT_KEYS -> census.rows().get(table);
            };
            tables.add(new ErasureReceipt.TableRows(
                    table.table(),
                    table.holds(),
                    rows,
                    table.keptOnErasureBecause().orElse(null)));
        }
        var keep = new LinkedHashMap<String, String>();
        holdByCategory.forEach((category, hold) -> keep.put(category, hold.holdId()));
        var receipt = new ErasureReceipt(
                erasureId,
                subjectId,
                requestId,
                now,
                ErasureReceipt.SHREDDED,
                null,
                tables,
                held,
                kept,
                ErasureReceipt.STATISTICS_KEPT);
        // written by writes.flush, with the rest of the batch's, in this order
        writes.subjectIds.add(subjectId);
        if (!ruleHoldByCategory.isEmpty()) writes.ruleKeep.put(subjectId, ruleHoldByCategory);
        if (!keep.isEmpty()) writes.holdKeep.put(subjectId, keep);
        writes.receipts.add(receipt);
        for (var k : kept)
            writes.ruleHolds.add(
                    () -> RuleHolds.insert(h, accountId, k.holdId(), erasureId, k.category(), k.rule(), keptFrom));
        writes.suppress
                .computeIfAbsent(suppressedUntil(now), u -> new LinkedHashMap<>())
                .put(erasureId, entries);
        var targets = new ArrayList<String>(List.of("profile:" + subjectId, "erasure:" + erasureId));
        if (requestId != null) targets.add("request:" + requestId);
        var detail = new LinkedHashMap<String, Object>();
        tables.forEach(t -> detail.put(t.table(), t.rows()));
        detail.put("heldCategories", held.size());
        detail.put("keptCategories", kept.size());
        detail.put("suppressed", entries.size());
        // ids and counts only: the person is gone, and no endpoint gets anything that was theirs
        writes.webhooks.add(Map.of(
                "erasure",
                erasureId,
                "profile",
                subjectId,
                "request",
                requestId == null ? "" : requestId,
                "tables",
                tables.size(),
                "heldCategories",
                held.size()));
        writes.audits.add(AuditEvent.ok(accountId, actor, "erasure.erase", targets, detail));
        return new Shredded(receipt, true, entries);
    }

    /** After the commit, before the answer: journal (forced to disk), then the purge. */
    private ErasureReceipt finish(String accountId, ErasureReceipt receipt) {
        var entries = jdbi.withHandle(h -> suppressions.ofErasure(h, accountId, receipt.erasureId()));
        journal.append(entry(accountId, receipt, entries));
        try {
            return purge.purge(accountId, receipt);
        } catch (RuntimeException e) {
            // the keys are gone and the erasure recorded: the purge job finishes the rows
            // the failure by its type and SQL state only: a message can quote a statement's values
            log.warn(
                    "an erasure's purge did not finish and is left to the purge job {} {}",
                    receipt.erasureId(),
                    SqlStates.describe(e));
            return receipt;
        }
    }

    /**
     * {@link #finish} for a batch: the journal entries forced to disk in one write, then the rows of
     * all of them purged together. A purge that fails is left to the purge job.
     */
    private void finishAll(String accountId, List<Shredded> erased) {
        journal.appendAll(erased.stream()
                .map(s -> entry(accountId, s.receipt(), s.suppressed()))
                .toList());
        try {
            purge.purgeAll(accountId, erased.stream().map(Shredded::receipt).toList());
        } catch (RuntimeException e) {
            // the keys are gone and the erasures recorded: the purge job finishes the rows
            log.warn(
                    "a bulk erasure's purge did not finish and is left to the purge job {} {}",
                    erased.size(),
                    SqlStates.describe(e));
        }
    }

    /** A journalled erasure the database did not know, applied again; the receipts to purge. */
    private List<ErasureReceipt> reapply(Handle h, ErasureJournal.Entry entry) {
        String accountId = entry.accountId();
        Instant at = Instant.parse(entry.at());
        var out = new ArrayList<ErasureReceipt>();
        var indexes = new ArrayList<Suppressions.Entry>();
        for (var i : entry.suppress())
            IdentifierKind.ofWireName(i.kind()).ifPresent(k -> indexes.add(new Suppressions.Entry(k, i.index())));
        var own = shredOne(
                h,
                Actor.SYSTEM,
                accountId,
                entry.subjectId(),
                entry.requestId(),
                entry.erasureId(),
                at,
                policyOnce(accountId));
        own.ifPresent(s -> out.add(s.receipt()));
        if (own.isEmpty()) {
            // the backup did not hold the person: the record alone, so the replay is done once
            var tables = new ArrayList<ErasureReceipt.TableRows>();
            for (var t : SubjectTable.values())
                tables.add(new ErasureReceipt.TableRows(
                        t.table(), t.holds(), 0, t.keptOnErasureBecause().orElse(null)));
            var receipt = new ErasureReceipt(
                    entry.erasureId(),
                    entry.subjectId(),
                    entry.requestId(),
                    at,
                    ErasureReceipt.PURGED,
                    clock.instant(),
                    tables,
                    List.of(),
                    List.of(),
                    ErasureReceipt.STATISTICS_KEPT);
            store.insert(h, accountId, receipt, Actor.SYSTEM.id());
        }
        // whoever the backup knows by an erased identifier is that person too
        for (var i : indexes) {
            var owner = subjects.find(h, accountId, i.kind(), i.blindIndex());
            if (owner.isPresent() && !owner.get().equals(entry.subjectId())) {
                shredOne(
                                h,
                                Actor.SYSTEM,
                                accountId,
                                owner.get(),
                                entry.requestId(),
                                ids.next(),
                                at,
                                policyOnce(accountId))
                        .filter(Shredded::isNew)
                        .ifPresent(s -> {
                            journal.append(entry(accountId, s.receipt(), s.suppressed()));
                            out.add(s.receipt());
                        });
            }
        }
        Instant until = suppressedUntil(at);
        if (until.isAfter(clock.instant())) suppressions.add(h, accountId, entry.erasureId(), indexes, until);
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        Actor.SYSTEM,
                        "erasure.replay",
                        List.of("profile:" + entry.subjectId(), "erasure:" + entry.erasureId()),
                        Map.of("reapplied", out.size())));
        return out;
    }

    /** The policy in force, read when first asked for and then remembered (for one erasure or one batch). */
    private java.util.function.Supplier<Optional<Policy>> policyOnce(String accountId) {
        var read = new java.util.concurrent.atomic.AtomicReference<Optional<Policy>>();
        return () -> {
            if (read.get() == null) read.set(policies.inForce(accountId).map(PolicyVersion::policy));
            return read.get();
        };
    }

    private static Instant suppressedUntil(Instant erasedAt) {
        return erasedAt.atOffset(ZoneOffset.UTC)
                .plus(Suppressions.DEFAULT_RETENTION)
                .toInstant();
    }

    private static ErasureJournal.Entry entry(
            String accountId, ErasureReceipt receipt, List<Suppressions.Entry> entries) {
        return new ErasureJournal.Entry(
                receipt.erasureId(),
                accountId,
                receipt.profileId(),
                receipt.requestId(),
                receipt.erasedAt().toString(),
                entries.stream()
                        .map(e -> new ErasureJournal.Index(e.kind().wireName(), e.blindIndex()))
                        .toList());
    }

    private static void check(Optional<String> requestId) {
        if (requestId.isPresent() && !Ids.isId(requestId.get()))
            throw new InvalidInputException(
                    "The erasure is not valid.",
                    List.of(new FieldError("requestId", "is the id of a data-subject request (a UUID)")));
    }
}
