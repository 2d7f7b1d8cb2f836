package dev.lethe.retention;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.activity.GoverningRules;
import dev.lethe.crypto.Keyring;
import dev.lethe.registry.Action;
import dev.lethe.registry.Policy;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.Trigger;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Timestamps;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.SubjectRemoval;
import dev.lethe.subjects.SubjectTable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * Applies a policy's retention rules to one account's stored data as of one instant: the engine
 * behind live sweeps and previews alike. Each rule and trigger becomes a condition on rows ({@link
 * Where}, an index range: {@code rule_kind} and {@code anchor_at}, or a category and its collection
 * time, or the subjects a contract's end or inactivity reached); holds are taken out of it by the
 * one {@link HoldFilter}; the rows left are deleted, anonymised or summarised in bounded batches,
 * each batch one transaction given by {@link Batches}. A preview runs exactly this, inside one
 * transaction that is rolled back.
 *
 * <p>Whatever a rule removes takes what is derived from it along: a deleted event's values and goal
 * hits, a deleted or summarised session's logged events (not those that achieved a goal: they are
 * its important events, kept by their own event rule), a deleted or anonymised message's values
 * (except the parts with a rule of their own: media, traffic data, recordings, which keep their own
 * clock) and its conversation's index, the blind indexes and list indexes of expired values, and a
 * removed person's everything
 * ({@link SubjectRemoval}). Anonymous daily counts stay.
 */
final class Sweeper {

    /** Rows per batch: one short transaction each, so no lock is held for long. */
    static final int BATCH = 1000;

    /** People per batch for rules that start from people (inactivity, contract end, profiles). */
    static final int PEOPLE_BATCH = 100;

    /** Runs one batch of work, as one transaction (a live sweep) or inside the preview's. */
    interface Batches {
        /** Runs {@code work}; the counts it returns are recorded with it, in its transaction. */
        Counts run(String rule, Function<Handle, Counts> work);

        /** Records what holds kept from a rule. */
        void held(String rule, Map<String, Long> byHold);

        /** True inside a preview's one rolled-back transaction. */
        default boolean preview() {
            return false;
        }
    }

    /** What one batch did. */
    record Counts(long affected, long derived) {
        static final Counts NONE = new Counts(0, 0);

        Counts plus(Counts o) {
            return new Counts(affected + o.affected, derived + o.derived);
        }
    }

    /** What a sweep is about: an account, the instant rules are judged at, and its facts. */
    record Scope(String accountId, Instant asOf, Policy policy, HoldFilter holds, Instant contractEndedAt) {}

    private final SubjectDirectory subjects;
    private final SubjectRemoval removal;
    private final Keyring keyring;
    private final Duration sessionTimeout;
    private final int batch;
    private final MonthDrops months;

    Sweeper(
            SubjectDirectory subjects,
            SubjectRemoval removal,
            Keyring keyring,
            Duration sessionTimeout,
            int batch,
            MonthDrops months) {
        this.subjects = subjects;
        this.months = months;
        this.removal = removal;
        this.keyring = keyring;
        this.sessionTimeout = sessionTimeout;
        this.batch = batch;
    }

    /** Applies one rule; returns the time it took (counts go through {@code batches}). */
    void apply(Handle reader, Scope scope, SweepRule rule, Batches batches) {
        switch (rule) {
            case SweepRule.Values v -> values(reader, scope, v, batches);
            case SweepRule.Consent c -> {
                Instant since = reconsentSince(reader, scope);
                ledger(
                        reader,
                        scope,
                        c.name(),
                        c.categories(),
                        (types, all) -> withoutConsent(scope, c.purpose(), since, types, all),
                        batches);
            }
            case SweepRule.Objection o ->
                ledger(
                        reader,
                        scope,
                        o.name(),
                        o.categories(),
                        (types, all) -> objected(scope, o.purpose(), types, all),
                        batches);
            case SweepRule.Records r -> {
                if (r.kind() == RecordKind.PROFILE) people(reader, scope, r, batches);
                else records(reader, scope, r, batches);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Categories: values of one category wherever they are, and their blind indexes.

    private void values(Handle reader, Scope scope, SweepRule.Values rule, Batches batches) {
        var whole = scope.holds()
                .holdingAccount()
                .or(() -> scope.holds().holdingCategory(rule.category().name()));
        var heldSubjects = scope.holds().heldSubjects();
        var kinds = identifierKinds(scope.policy(), rule.category().name());
        keptAfterErasure(reader, scope, rule, batches);
        for (Trigger t : rule.retention().after()) {
            Where people = peopleOf(scope, rule.retention().period(), t, rule.subjectTypes());
            Where values = new Where(scope.accountId())
                    .and("category = :category", "category", rule.category().name());
            if (people != null) {
                people.nestIn(values, "subject_id", "subjects");
            } else if (ownTime(t)) {
                values.within(
                        "collected_at", Expiry.ranges(List.of(rule.retention().period()), scope.asOf()));
                typed(values, scope, rule);
            } else {
                continue;
            }
            if (count(reader, "personal_values", values, rule.name(), whole, heldSubjects, batches)) continue;
            values.notIn("subject_id", heldSubjects.keySet(), true);
            var identifiers = sideTable(scope, rule, t, people, kinds.isEmpty() ? null : "identifiers");
            var tags = sideTable(scope, rule, t, people, "profile_tags");
            var fields = sideTable(scope, rule, t, people, "field_values");
            if (identifiers != null) {
                identifiers.in("kind", kinds, false);
                identifiers.notIn("subject_id", heldSubjects.keySet(), true);
            }
            tags.notIn("subject_id", heldSubjects.keySet(), true);
            fields.notIn("subject_id", heldSubjects.keySet(), true);
            loop(batches, rule.name(), h -> new Counts(deleteValues(h, values), 0));
            if (identifiers != null)
                loop(
                        batches,
                        rule.name(),
                        h -> new Counts(0, deleteKeyed(h, "identifiers", identifiers, "kind", "blind_index")));
            loop(
                    batches,
                    rule.name(),
                    h -> new Counts(0, deleteKeyed(h, "profile_tags", tags, "tag_index", "subject_id")));
            loop(
                    batches,
                    rule.name(),
                    h -> new Counts(0, deleteKeyed(h, "field_values", fields, "field_key", "subject_id")));
        }
    }

    /**
     * The values of erased people that this rule kept past their erasure (a rule hold each, {@link
     * RuleHolds}): reached when the erasure plus the rule's period has passed, or all of them once
     * the contract's end plus the period has (when the rule lists {@code contract_ended}), or all of
     * them at once when the rule in force no longer counts from the erasure. Its {@code collected}
     * trigger reaches the values by their own time, with the rule's other values; its inactivity
     * nobody (an erased person has no activity). Each hold reached loses its values and its keys, a
     * page of holds per batch; legal holds in force keep what they cover.
     */
    private void keptAfterErasure(Handle reader, Scope scope, SweepRule.Values rule, Batches batches) {
        var retention = rule.retention();
        Where reached = new Where(scope.accountId()).and("rule_name = :rule", "rule", rule.name());
        boolean contractEnded = retention.after().contains(new Trigger.ContractEnded())
                && scope.contractEndedAt() != null
                && Expiry.expired(scope.contractEndedAt(), List.of(retention.period()), scope.asOf());
        if (retention.after().contains(new Trigger.Erased()) && !contractEnded)
            reached.within("erased_at", Expiry.ranges(List.of(retention.period()), scope.asOf()));
        String category = rule.category().name();
        var whole = scope.holds().holdingAccount().or(() -> scope.holds().holdingCategory(category));
        var heldSubjects = scope.holds().heldSubjects();
        Where values = new Where(scope.accountId()).and("category = :category", "category", category);
        reached.copy()
                .nestIn(new Where(scope.accountId()), "erasure_id", "rule_holds")
                .nestIn(values, "subject_id", "erasures");
        if (count(reader, "personal_values", values, rule.name(), whole, heldSubjects, batches)) return;
        String[] after = {null};
        boolean[] more = {true};
        while (more[0]) {
            String from = after[0];
            batches.run(rule.name(), h -> {
                Where page = reached.copy();
                if (from != null) page.and("hold_id > :after", "after", java.util.UUID.fromString(from));
                var holds = page.bind(h.createQuery("select hold_id, erasure_id from rule_holds where " + page.sql()
                                + " order by hold_id limit " + PEOPLE_BATCH))
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                        .list();
                more[0] = holds.size() == PEOPLE_BATCH;
                if (holds.isEmpty()) return Counts.NONE;
                after[0] = holds.get(holds.size() - 1).getKey();
                var subjectOf = new HashMap<String, String>();
                h.createQuery("select erasure_id, subject_id from erasures"
                                + " where account_id = :account and erasure_id in (<ids>)")
                        .bind("account", scope.accountId())
                        .bindList(
                                "ids",
                                Ids.uuids(
                                        holds.stream().map(Map.Entry::getValue).toList()))
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                        .forEach(e -> subjectOf.put(e.getKey(), e.getValue()));
                long values0 = 0;
                long keys = 0;
                for (var hold : holds) {
                    String subject = subjectOf.get(hold.getValue());
                    // a profile hold on the erased person keeps what it covers (counted above)
                    if (heldSubjects.containsKey(subject)) continue;
                    values0 += h.createUpdate("delete from personal_values"
                                    + " where account_id = :account and subject_id = :subject and category = :category")
                            .bind("account", scope.accountId())
                            .bind("subject", subject)
                            .bind("category", category)
                            .execute();
                    keys += keyring.releaseHold(h, scope.accountId(), hold.getKey());
                    h.createUpdate("delete from rule_holds where account_id = :account and hold_id = :hold")
                            .bind("account", scope.accountId())
                            .bind("hold", hold.getKey())
                            .execute();
                }
                return new Counts(values0, keys);
            });
        }
    }

    // ---------------------------------------------------------------------------------------
    // Consent and objection: values of consent-based categories of people without a current
    // consent, and of legitimate-interests categories of people who objected to their purpose.

    /**
     * Deletes the values of {@code categories} (category → the subject types the rule covers) of
     * the people {@code people} selects (given those types and the category's own), with their
     * blind indexes, in the engine's batches under the rule {@code name}.
     */
    private void ledger(
            Handle reader,
            Scope scope,
            String name,
            Map<String, Set<String>> categories,
            BiFunction<Set<String>, List<String>, Where> people,
            Batches batches) {
        var heldSubjects = scope.holds().heldSubjects();
        for (var entry : categories.entrySet()) {
            String category = entry.getKey();
            var whole = scope.holds().holdingAccount().or(() -> scope.holds().holdingCategory(category));
            var kinds = identifierKinds(scope.policy(), category);
            var types = scope.policy().category(category).map(c -> c.subjects()).orElse(List.of());
            Where values = new Where(scope.accountId()).and("category = :category", "category", category);
            people.apply(entry.getValue(), types).nestIn(values, "subject_id", "subjects");
            if (count(reader, "personal_values", values, name, whole, heldSubjects, batches)) continue;
            values.notIn("subject_id", heldSubjects.keySet(), true);
            loop(batches, name, h -> new Counts(deleteValues(h, values), 0));
            for (String table : List.of("identifiers", "profile_tags", "field_values")) {
                if (table.equals("identifiers") && kinds.isEmpty()) continue;
                var side = new Where(scope.accountId());
                if (table.equals("identifiers")) side.in("kind", kinds, false);
                else side.and("category = :category", "category", category);
                people.apply(entry.getValue(), types).nestIn(side, "subject_id", "subjects");
                side.notIn("subject_id", heldSubjects.keySet(), true);
                String a = switch (table) {
                    case "identifiers" -> "kind";
                    case "profile_tags" -> "tag_index";
                    default -> "field_key";
                };
                String b = table.equals("identifiers") ? "blind_index" : "subject_id";
                loop(batches, name, h -> new Counts(0, deleteKeyed(h, table, side, a, b)));
            }
        }
    }

    /** The publication of the latest privacy policy requiring re-consent by the sweep's instant. */
    private static Instant reconsentSince(Handle reader, Scope scope) {
        return reader.createQuery("""
                        select max(published_at) from privacy_policies
                        where account_id = :account and requires_reconsent and published_at <= :at
                        """)
                .bind("account", scope.accountId())
                .bind("at", utc(scope.asOf()))
                .map((rs, ctx) -> rs.getObject(1, OffsetDateTime.class))
                .findOne()
                .map(OffsetDateTime::toInstant)
                .orElse(Timestamps.EARLIEST);
    }

    /**
     * The people (rows of {@code subjects}) of {@code types} without a current consent for {@code
     * purpose} at the sweep's instant: whose latest answer for it by then is not a grant under a
     * privacy policy published at or after {@code since} (the latest version requiring re-consent),
     * or who are minors. The same condition as {@code Consents.standings}, in SQL.
     */
    private static Where withoutConsent(
            Scope scope, String purpose, Instant since, Set<String> types, List<String> categoryTypes) {
        var w = new Where(scope.accountId());
        if (!types.containsAll(categoryTypes)) w.in("subject_type", types, false);
        return w.and(
                """
                (subject_id not in (
                   select p.subject_id from consent_purposes p
                   where p.account_id = :consent_account and p.purpose = :consent_purpose and p.granted
                     and p.policy_published_at >= :consent_since and p.consented_at <= :consent_at
                     and not exists (select 1 from consent_purposes l
                                     where l.account_id = p.account_id and l.subject_id = p.subject_id
                                       and l.purpose = p.purpose and l.consented_at <= :consent_at
                                       and (l.consented_at > p.consented_at
                                            or (l.consented_at = p.consented_at and l.consent_id > p.consent_id))))
                 or subject_id in (select m.subject_id from consent_minors m
                                   where m.account_id = :consent_account and m.adult_on > :consent_today))
                """,
                "consent_account",
                scope.accountId(),
                "consent_purpose",
                purpose,
                "consent_since",
                since,
                "consent_at",
                scope.asOf(),
                "consent_today",
                LocalDate.ofInstant(scope.asOf(), ZoneOffset.UTC));
    }

    /**
     * The people (rows of {@code subjects}) of {@code types} whose latest answer on {@code purpose}
     * at the sweep's instant is a withdrawal: an objection. The same condition as {@code
     * Standing.objects}, in SQL.
     */
    private static Where objected(Scope scope, String purpose, Set<String> types, List<String> categoryTypes) {
        var w = new Where(scope.accountId());
        if (!types.containsAll(categoryTypes)) w.in("subject_type", types, false);
        return w.and(
                """
                subject_id in (
                   select p.subject_id from consent_purposes p
                   where p.account_id = :objection_account and p.purpose = :objection_purpose and not p.granted
                     and p.consented_at <= :objection_at
                     and not exists (select 1 from consent_purposes l
                                     where l.account_id = p.account_id and l.subject_id = p.subject_id
                                       and l.purpose = p.purpose and l.consented_at <= :objection_at
                                       and (l.consented_at > p.consented_at
                                            or (l.consented_at = p.consented_at and l.consent_id > p.consent_id))))
                """,
                "objection_account",
                scope.accountId(),
                "objection_purpose",
                purpose,
                "objection_at",
                scope.asOf());
    }

    /** The identifier kinds whose values the policy files under {@code category}. */
    private static List<String> identifierKinds(Policy policy, String category) {
        var out = new ArrayList<String>();
        for (var kind : IdentifierKind.values()) {
            if (category.equals(policy.fields().get(kind.field()))) out.add(kind.wireName());
        }
        return out;
    }

    /**
     * The blind-index rows cut with a category's values: same category (or identifier kinds), same
     * collection times or same people.
     */
    private Where sideTable(Scope scope, SweepRule.Values rule, Trigger t, Where people, String table) {
        if (table == null) return null;
        var w = new Where(scope.accountId());
        if (!table.equals("identifiers"))
            w.and("category = :category", "category", rule.category().name());
        if (people != null) {
            people.nestIn(w, "subject_id", "subjects");
        } else {
            w.within("collected_at", Expiry.ranges(List.of(rule.retention().period()), scope.asOf()));
            typed(w, scope, rule);
        }
        return w;
    }

    /** Limits a category's own-time condition to the subject types its rule is for. */
    private static void typed(Where w, Scope scope, SweepRule.Values rule) {
        if (rule.subjectTypes().containsAll(rule.category().subjects())) return;
        new Where(scope.accountId())
                .in("subject_type", rule.subjectTypes(), false)
                .nestIn(w, "subject_id", "subjects");
    }

    // ---------------------------------------------------------------------------------------
    // Record rules: rows whose rule_kind names the rule, and the values of that part of a record.

    private void records(Handle reader, Scope scope, SweepRule.Records rule, Batches batches) {
        var whole = scope.holds().holdingAccount();
        var heldSubjects = scope.holds().heldSubjects();
        var heldCategories = scope.holds().heldCategories();
        String name = rule.rule().name();
        Period period = rule.retention().period();
        String table = tableOf(rule.kind());
        for (Trigger t : rule.retention().after()) {
            Where people = peopleOf(scope, period, t, null);
            Where rows = null;
            Where values = null;
            if (people != null) {
                values = people.nestIn(
                        new Where(scope.accountId()).and("rule_kind = :rule", "rule", name), "subject_id", "subjects");
                if (table != null)
                    rows = people.nestIn(
                            new Where(scope.accountId()).and("rule_kind = :rule", "rule", name),
                            "subject_id",
                            "subjects");
            } else if (ownTime(t)) {
                var ranges = Expiry.ranges(List.of(period), scope.asOf());
                values = new Where(scope.accountId())
                        .and("rule_kind = :rule", "rule", name)
                        .within("anchor_at", ranges);
                if (table != null)
                    rows = new Where(scope.accountId())
                            .and("rule_kind = :rule", "rule", name)
                            .within("anchor_at", ranges);
            } else if (t instanceof Trigger.CampaignEnded && "messages".equals(table)) {
                var ended = new Where(scope.accountId())
                        .and("ended_at is not null")
                        .within("ended_at", Expiry.ranges(List.of(period), scope.asOf()));
                rows = ended.nestIn(
                        new Where(scope.accountId()).and("rule_kind = :rule", "rule", name),
                        "campaign_id",
                        "campaigns");
            } else {
                continue;
            }
            if (rule.action() == Action.SUMMARISE && rows != null) {
                rows.and("last_event_at < :complete", "complete", scope.asOf().minus(sessionTimeout));
            }
            // the record rows (or, for parts of records, the values) decide what is held
            String counted = rows != null ? table : "personal_values";
            Where primary = rows != null ? rows : values;
            if (count(reader, counted, primary, rule.name(), whole, heldSubjects, batches)) continue;
            if ("events".equals(table) && rule.action() == Action.DELETE && ownTime(t))
                wholeMonths(reader, scope, name, Expiry.ranges(List.of(period), scope.asOf()), batches);
            // Rows first: each batch deletes its rows' values with them, in one transaction, so a
            // sweep stopped between batches leaves no record that kept its subject but lost its
            // values. Values of this part of a record that no row carries go after (a part of a
            // record stored only as values, or values whose row went by another rule).
            if (rows != null) {
                rows.notIn("subject_id", heldSubjects.keySet(), true);
                Where r = rows;
                switch (table) {
                    case "events" -> {
                        loop(batches, rule.name(), h -> events(h, scope, r, rule.action(), heldCategories));
                        var hits = new Where(scope.accountId()).and("rule_kind = :rule", "rule", name);
                        if (ownTime(t)) {
                            hits.within("anchor_at", Expiry.ranges(List.of(period), scope.asOf()));
                            hits.notIn("subject_id", heldSubjects.keySet(), true);
                            loop(
                                    batches,
                                    rule.name(),
                                    h -> new Counts(0, deleteKeyed(h, "goal_hits", hits, "goal_id", "event_id")));
                        }
                    }
                    case "sessions" ->
                        loop(batches, rule.name(), h -> sessions(h, scope, r, rule.action(), heldCategories));
                    case "messages" -> {
                        var ownParts = partRules(scope.policy());
                        loop(batches, rule.name(), h -> messages(h, r, rule.action(), heldCategories, ownParts));
                    }
                    default -> throw new IllegalStateException("no sweep for table " + table);
                }
            }
            if (values != null && rule.action() != Action.SUMMARISE) {
                Where v = values.copy();
                v.notIn("subject_id", heldSubjects.keySet(), true);
                v.notIn("category", heldCategories, false);
                boolean partOnly = rows == null;
                loop(batches, rule.name(), h -> {
                    long n = deleteValues(h, v);
                    return partOnly ? new Counts(n, 0) : new Counts(0, n);
                });
            }
        }
    }

    /**
     * Takes the months of expired events that hold nothing else ({@link MonthDrops}, PostgreSQL
     * only), each in a batch of its own with its values and goal hits, before the row path deletes
     * what is left of the range.
     */
    private void wholeMonths(Handle reader, Scope scope, String rule, List<Expiry.Range> ranges, Batches batches) {
        var held = scope.holds().heldSubjects().keySet();
        var heldCategories = scope.holds().heldCategories();
        for (var month : months.candidates(reader, ranges)) {
            batches.run(
                    "records." + rule,
                    h -> months.take(
                                    h,
                                    scope.accountId(),
                                    rule,
                                    month.getKey(),
                                    month.getValue(),
                                    held,
                                    heldCategories,
                                    batches.preview(),
                                    scope.asOf())
                            .map(taken -> new Counts(taken.events(), taken.values() + taken.goalHits()))
                            .orElse(Counts.NONE));
        }
    }

    /** The table a kind's records live in; null for kinds stored only as values (or not stored). */
    private static String tableOf(RecordKind kind) {
        return switch (kind) {
            case EVENT -> "events";
            case SESSION, SESSION_SUMMARY -> "sessions";
            case MESSAGE, MESSAGE_LOG, CAMPAIGN -> "messages";
            case MEDIA, RECORDING, TRAFFIC, ANALYTICS, DOCUMENT, PROFILE -> null;
        };
    }

    private Counts events(Handle h, Scope scope, Where rows, Action action, Set<String> heldCategories) {
        var keys = rows.bind(h.createQuery("select occurred_at, event_id from events where " + rows.sql() + rows.order()
                        + " limit " + batch))
                .map((rs, ctx) -> new Key(instant(rs, "occurred_at"), rs.getString("event_id")))
                .list();
        if (keys.isEmpty()) return Counts.NONE;
        var ids = keys.stream().map(Key::id).toList();
        long derived = deleteValuesOf(h, scope.accountId(), ids, heldCategories);
        derived += deleteGoalHitsOf(h, scope.accountId(), ids);
        String change = action == Action.DELETE
                ? "delete from events"
                : "update events set subject_id = null, rule_kind = null";
        var batchUpdate =
                h.prepareBatch(change + " where account_id = :account and occurred_at = :at and event_id = :id");
        for (var k : keys)
            batchUpdate
                    .bind("account", scope.accountId())
                    .bind("at", utc(k.at()))
                    .bind("id", k.id())
                    .add();
        batchUpdate.execute();
        return new Counts(keys.size(), derived);
    }

    private Counts sessions(Handle h, Scope scope, Where rows, Action action, Set<String> heldCategories) {
        var keys = rows.bind(h.createQuery("select started_at, session_id, subject_id from sessions where " + rows.sql()
                        + rows.order() + " limit " + batch))
                .map((rs, ctx) ->
                        new Key(instant(rs, "started_at"), rs.getString("session_id"), rs.getString("subject_id")))
                .list();
        if (keys.isEmpty()) return Counts.NONE;
        var ids = keys.stream().map(Key::id).toList();
        long derived = 0;
        if (action != Action.ANONYMISE) {
            // the complete session is its logged events: they go, with their values. An event that
            // achieved a goal is an important event: the summary says it happened, and it stays, with
            // its goal hit, for as long as its own event rule keeps it.
            var events = h.createQuery("""
                            select occurred_at, event_id from events e
                            where e.account_id = :account and e.session_id in (<sessions>)
                              and not exists (select 1 from goal_hits g
                                              where g.account_id = e.account_id and g.event_id = e.event_id)
                            """)
                    .bind("account", scope.accountId())
                    .bindList("sessions", Ids.uuids(ids))
                    .map((rs, ctx) -> new Key(instant(rs, "occurred_at"), rs.getString("event_id")))
                    .list();
            var eventIds = events.stream().map(Key::id).toList();
            derived += deleteValuesOf(h, scope.accountId(), eventIds, heldCategories);
            var del = h.prepareBatch(
                    "delete from events where account_id = :account and occurred_at = :at and event_id = :id");
            for (var e : events)
                del.bind("account", scope.accountId())
                        .bind("at", utc(e.at()))
                        .bind("id", e.id())
                        .add();
            if (!events.isEmpty()) derived += sum(del.execute());
        }
        switch (action) {
            case DELETE -> {
                derived += deleteValuesOf(h, scope.accountId(), ids, heldCategories);
                var del = h.prepareBatch(
                        "delete from sessions where account_id = :account and started_at = :at and session_id = :id");
                for (var k : keys)
                    del.bind("account", scope.accountId())
                            .bind("at", utc(k.at()))
                            .bind("id", k.id())
                            .add();
                del.execute();
                detach(h, scope.accountId(), ids);
            }
            case ANONYMISE -> {
                derived += deleteValuesOf(h, scope.accountId(), ids, heldCategories);
                var upd = h.prepareBatch(
                        "update sessions set subject_id = null, rule_kind = null where account_id = :account and started_at = :at and session_id = :id");
                for (var k : keys)
                    upd.bind("account", scope.accountId())
                            .bind("at", utc(k.at()))
                            .bind("id", k.id())
                            .add();
                upd.execute();
            }
            case SUMMARISE -> {
                // what is left is the summary: its counts here, its values under the summary's rule
                var types = typesOf(
                        h, scope.accountId(), keys.stream().map(Key::subject).toList());
                var upd = h.prepareBatch(
                        "update sessions set rule_kind = :rule where account_id = :account and started_at = :at and session_id = :id");
                var gone = new ArrayList<Key>();
                for (var k : keys) {
                    var summary = summaryRule(scope.policy(), types.get(k.subject()));
                    if (summary.isEmpty()) {
                        gone.add(k);
                        continue;
                    }
                    upd.bind("rule", summary.get())
                            .bind("account", scope.accountId())
                            .bind("at", utc(k.at()))
                            .bind("id", k.id())
                            .add();
                }
                if (gone.size() < keys.size()) upd.execute();
                if (!gone.isEmpty()) {
                    derived += deleteValuesOf(
                            h, scope.accountId(), gone.stream().map(Key::id).toList(), heldCategories);
                    var del = h.prepareBatch(
                            "delete from sessions where account_id = :account and started_at = :at and session_id = :id");
                    for (var k : gone)
                        del.bind("account", scope.accountId())
                                .bind("at", utc(k.at()))
                                .bind("id", k.id())
                                .add();
                    del.execute();
                }
            }
        }
        return new Counts(keys.size(), derived);
    }

    /** The goal events a deleted session leaves (and their hits) belong to no session any more. */
    private static void detach(Handle h, String accountId, List<String> sessionIds) {
        for (String table : List.of("events", "goal_hits"))
            h.createUpdate("update " + table
                            + " set session_id = null where account_id = :account and session_id in (<sessions>)")
                    .bind("account", accountId)
                    .bindList("sessions", Ids.uuids(sessionIds))
                    .execute();
    }

    private static Optional<String> summaryRule(Policy policy, String subjectType) {
        var rule = subjectType == null
                ? GoverningRules.firstOfKind(policy, RecordKind.SESSION_SUMMARY)
                : GoverningRules.forSubject(policy, RecordKind.SESSION_SUMMARY, subjectType)
                        .or(() -> GoverningRules.firstOfKind(policy, RecordKind.SESSION_SUMMARY));
        return rule.map(r -> r.name());
    }

    private static Map<String, String> typesOf(Handle h, String accountId, List<String> subjectIds) {
        var present = subjectIds.stream().filter(s -> s != null).distinct().toList();
        var out = new HashMap<String, String>();
        if (present.isEmpty()) return out;
        h.createQuery(
                        "select subject_id, subject_type from subjects where account_id = :account and subject_id in (<ids>)")
                .bind("account", accountId)
                .bindList("ids", Ids.uuids(present))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * The record rules of the parts of a message that have a clock of their own (media, traffic
     * data, recordings): their values outlive the message's row when the policy keeps them longer
     * (the messaging seed keeps a conversation's email attachments a year and traffic data 12
     * months, its messages 3 or 6 months), and go by their own rule.
     */
    private static Set<String> partRules(Policy policy) {
        var out = new TreeSet<String>();
        for (var r : policy.records().values()) {
            if (r.kind() == RecordKind.MEDIA || r.kind() == RecordKind.TRAFFIC || r.kind() == RecordKind.RECORDING)
                out.add(r.name());
        }
        return out;
    }

    private Counts messages(Handle h, Where rows, Action action, Set<String> heldCategories, Set<String> ownParts) {
        String accountId = (String) rows.value("account");
        var keys = rows.bind(h.createQuery("select sent_at, message_id, conversation_key from messages where "
                        + rows.sql() + rows.order() + " limit " + batch))
                .map((rs, ctx) ->
                        new Key(instant(rs, "sent_at"), rs.getString("message_id"), rs.getString("conversation_key")))
                .list();
        if (keys.isEmpty()) return Counts.NONE;
        var ids = keys.stream().map(Key::id).toList();
        long derived = deleteValuesOf(h, accountId, ids, heldCategories, ownParts);
        String change = action == Action.DELETE
                ? "delete from messages"
                : "update messages set subject_id = null, rule_kind = null";
        var upd = h.prepareBatch(change + " where account_id = :account and sent_at = :at and message_id = :id");
        for (var k : keys)
            upd.bind("account", accountId)
                    .bind("at", utc(k.at()))
                    .bind("id", k.id())
                    .add();
        upd.execute();
        // a conversation's index goes with its last message, and names no one once none of its
        // messages does
        var conversations = new TreeSet<String>();
        keys.stream().map(Key::subject).filter(c -> c != null).forEach(conversations::add);
        if (!conversations.isEmpty()) {
            derived += h.createUpdate("""
                            delete from conversations c
                            where c.account_id = :account and c.conversation_key in (<keys>)
                              and not exists (select 1 from messages m
                                              where m.account_id = c.account_id and m.conversation_key = c.conversation_key)
                            """)
                    .bind("account", accountId)
                    .bindList("keys", List.copyOf(conversations))
                    .execute();
            h.createUpdate("""
                            update conversations c set subject_id = null
                            where c.account_id = :account and c.conversation_key in (<keys>)
                              and not exists (select 1 from messages m
                                              where m.account_id = c.account_id and m.conversation_key = c.conversation_key
                                                and m.subject_id is not null)
                            """)
                    .bind("account", accountId)
                    .bindList("keys", List.copyOf(conversations))
                    .execute();
        }
        return new Counts(keys.size(), derived);
    }

    // ---------------------------------------------------------------------------------------
    // Profile rules: the person goes, with everything they hold.

    private void people(Handle reader, Scope scope, SweepRule.Records rule, Batches batches) {
        var whole = scope.holds().holdingAccount();
        var heldSubjects = scope.holds().heldSubjects();
        for (Trigger t : rule.retention().after()) {
            Where people = peopleOf(scope, rule.retention().period(), t, rule.subjectTypes());
            if (people == null && ownTime(t)) {
                people = new Where(scope.accountId())
                        .within(
                                "first_seen_at",
                                Expiry.ranges(List.of(rule.retention().period()), scope.asOf()));
                people.in("subject_type", rule.subjectTypes(), false);
            }
            if (people == null) continue;
            if (count(reader, "subjects", people, rule.name(), whole, heldSubjects, batches)) continue;
            Where chosen = people.copy();
            chosen.notIn("subject_id", heldSubjects.keySet(), true);
            var holdByCategory = new LinkedHashMap<String, String>();
            for (String c : scope.holds().heldCategories())
                scope.holds().holdingCategory(c).ifPresent(hold -> holdByCategory.put(c, hold.holdId()));
            String[] after = {null};
            boolean[] more = {true};
            while (more[0]) {
                String from = after[0];
                batches.run(rule.name(), h -> {
                    Where page = chosen.copy();
                    if (from != null) page.and("subject_id > :after", "after", java.util.UUID.fromString(from));
                    var ids = page.bind(h.createQuery("select subject_id from subjects where " + page.sql()
                                    + " order by subject_id limit " + PEOPLE_BATCH))
                            .mapTo(String.class)
                            .list();
                    more[0] = ids.size() == PEOPLE_BATCH;
                    if (ids.isEmpty()) return Counts.NONE;
                    after[0] = ids.get(ids.size() - 1);
                    subjects.lockNamed(h, scope.accountId(), ids);
                    // under the lock: still matching (a new event may have just made them active)
                    Where still = chosen.copy().in("subject_id", ids, true);
                    var confirmed = still.bind(h.createQuery("select subject_id from subjects where " + still.sql()))
                            .mapTo(String.class)
                            .list();
                    long derived = 0;
                    for (String s : confirmed) {
                        var removed = removal.remove(h, scope.accountId(), s, holdByCategory);
                        // the person is the row affected; everything else they held went along
                        derived += removed.total() - removed.deleted().get(SubjectTable.SUBJECTS);
                    }
                    return new Counts(confirmed.size(), derived);
                });
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Shared pieces.

    /** True for triggers a row's own stored times decide (its anchor). */
    private static boolean ownTime(Trigger t) {
        return t instanceof Trigger.Collected || t instanceof Trigger.Sent || t instanceof Trigger.ConversationStarted;
    }

    /**
     * The people a trigger that is not a row's own time has reached: all of the account's (of these
     * types) when its contract ended {@code period} ago, those inactive long enough; null for a
     * trigger of a row's own time (or one the sweep does not apply, such as erasure). A contract end
     * that has not come (or not long enough ago) reaches nobody.
     */
    private static Where peopleOf(Scope scope, Period period, Trigger t, Set<String> types) {
        Where people;
        switch (t) {
            case Trigger.ContractEnded c -> {
                people = new Where(scope.accountId());
                if (scope.contractEndedAt() == null
                        || !Expiry.expired(scope.contractEndedAt(), List.of(period), scope.asOf())) people.and("1 = 0");
            }
            case Trigger.Inactive i ->
                people = new Where(scope.accountId())
                        .within("last_seen_at", Expiry.ranges(List.of(i.period(), period), scope.asOf()));
            default -> {
                return null;
            }
        }
        if (types != null) people.in("subject_type", types, false);
        return people;
    }

    /**
     * Counts what holds keep from a rule's rows and reports it; true when a hold keeps all of them
     * (the account, or the rule's category), so there is nothing to do.
     */
    private static boolean count(
            Handle h,
            String table,
            Where rows,
            String rule,
            Optional<LegalHold> whole,
            Map<String, String> heldSubjects,
            Batches batches) {
        var byHold = new LinkedHashMap<String, Long>();
        if (whole.isPresent()) {
            long n = rows.bind(h.createQuery("select count(*) from " + table + " where " + rows.sql()))
                    .mapTo(Long.class)
                    .one();
            if (n > 0) byHold.put(whole.get().holdId(), n);
            batches.held(rule, byHold);
            return true;
        }
        if (!heldSubjects.isEmpty()) {
            Where held = rows.copy().in("subject_id", heldSubjects.keySet(), true);
            held.bind(h.createQuery("select subject_id, count(*) from " + table + " where " + held.sql()
                            + " group by subject_id"))
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .forEach(e -> byHold.merge(heldSubjects.get(e.getKey()), e.getValue(), Long::sum));
        }
        batches.held(rule, byHold);
        return false;
    }

    /** Runs batches until one finds nothing left. */
    private static void loop(Batches batches, String rule, Function<Handle, Counts> work) {
        while (true) {
            Counts c = batches.run(rule, work);
            if (c.affected() == 0 && c.derived() == 0) return;
        }
    }

    /** Deletes up to a batch of values matching {@code w}; returns how many. */
    private long deleteValues(Handle h, Where w) {
        var keys = w.bind(h.createQuery("select category, collected_at, value_id from personal_values where " + w.sql()
                        + w.order() + " limit " + batch))
                .map((rs, ctx) ->
                        new Key(instant(rs, "collected_at"), rs.getString("value_id"), rs.getString("category")))
                .list();
        return deleteValueKeys(h, (String) w.value("account"), keys);
    }

    private static long deleteValueKeys(Handle h, String accountId, List<Key> keys) {
        if (keys.isEmpty()) return 0;
        var del = h.prepareBatch("""
                delete from personal_values
                where account_id = :account and category = :category and collected_at = :at and value_id = :id
                """);
        for (var k : keys)
            del.bind("account", accountId)
                    .bind("category", k.subject())
                    .bind("at", utc(k.at()))
                    .bind("id", k.id())
                    .add();
        return sum(del.execute());
    }

    /** Deletes every value of these records, except those of categories a hold keeps. */
    private static long deleteValuesOf(Handle h, String accountId, List<String> recordIds, Set<String> heldCategories) {
        return deleteValuesOf(h, accountId, recordIds, heldCategories, Set.of());
    }

    /**
     * Deletes every value of these records, except those of categories a hold keeps and those of
     * parts governed by one of {@code ownParts} (which their own rule removes).
     */
    private static long deleteValuesOf(
            Handle h, String accountId, List<String> recordIds, Set<String> heldCategories, Set<String> ownParts) {
        if (recordIds.isEmpty()) return 0;
        var w = new Where(accountId)
                .in("record_id", recordIds, true)
                .notIn("category", heldCategories, false)
                .notIn("rule_kind", ownParts, false);
        var keys = w.bind(
                        h.createQuery("select category, collected_at, value_id from personal_values where " + w.sql()))
                .map((rs, ctx) ->
                        new Key(instant(rs, "collected_at"), rs.getString("value_id"), rs.getString("category")))
                .list();
        return deleteValueKeys(h, accountId, keys);
    }

    private static long deleteGoalHitsOf(Handle h, String accountId, List<String> eventIds) {
        if (eventIds.isEmpty()) return 0;
        return h.createUpdate("delete from goal_hits where account_id = :account and event_id in (<events>)")
                .bind("account", accountId)
                .bindList("events", Ids.uuids(eventIds))
                .execute();
    }

    /** Deletes up to a batch of rows of a table keyed (account_id, a, b); returns how many. */
    private long deleteKeyed(Handle h, String table, Where w, String a, String b) {
        var keys = w.bind(h.createQuery("select " + a + ", " + b + " from " + table + " where " + w.sql() + w.order()
                        + " limit " + batch))
                .map((rs, ctx) -> Map.entry(rs.getObject(1), rs.getObject(2)))
                .list();
        if (keys.isEmpty()) return 0;
        var del = h.prepareBatch(
                "delete from " + table + " where account_id = :account and " + a + " = :a and " + b + " = :b");
        for (var k : keys)
            del.bind("account", w.value("account"))
                    .bind("a", k.getKey())
                    .bind("b", k.getValue())
                    .add();
        return sum(del.execute());
    }

    private static long sum(int[] counts) {
        long n = 0;
        for (int c : counts) n += Math.max(c, 0);
        return n;
    }

    /** A row's key: its time column, its id, and one more column the caller needs. */
    private record Key(Instant at, String id, String subject) {
        Key(Instant at, String id) {
            this(at, id, null);
        }
    }
}
