package dev.lethe.retention;

import dev.lethe.registry.Action;
import dev.lethe.registry.Category;
import dev.lethe.registry.LawfulBasis;
import dev.lethe.registry.Policy;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.registry.RetentionRule;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One retention rule of a policy as a sweep applies it: a record rule (whole records of one kind,
 * and the values of that part of a record) or a category's rule for some subject types (values of
 * one category wherever they are). The name is the rule's path in the policy document, so a report
 * points at the line that decided: {@code records.complete_session}, {@code categories.ip_address},
 * {@code categories.device_id.bySubject.visitor}.
 */
sealed interface SweepRule {

    String name();

    RetentionRule retention();

    default Action action() {
        return retention().then();
    }

    /** A record rule: rows whose {@code rule_kind} names it. */
    record Records(RecordRule rule, Set<String> subjectTypes) implements SweepRule {
        @Override
        public String name() {
            return "records." + rule.name();
        }

        @Override
        public RetentionRule retention() {
            return rule.retention();
        }

        RecordKind kind() {
            return rule.kind();
        }
    }

    /**
     * A category's rule as it applies to {@code subjectTypes}: the category's own rule for the types
     * without an override of their own, or one override's rule for its type.
     */
    record Values(Category category, RetentionRule retention, String path, Set<String> subjectTypes)
            implements SweepRule {
        @Override
        public String name() {
            return path;
        }
    }

    /**
     * The consent rule of one purpose (DESIGN promise 8): values of the categories held on consent
     * for that purpose, of people without a current consent for it (never given, withdrawn, given
     * under a privacy policy since superseded by one requiring re-consent, or a minor), are deleted
     * at once. {@code categories} maps each such category to the subject types it is consent-based
     * for. Named {@code consent.<purpose>}.
     */
    record Consent(String purpose, Map<String, Set<String>> categories) implements SweepRule {
        static final RetentionRule AT_ONCE = new RetentionRule(Period.ZERO, List.of(), Action.DELETE);

        @Override
        public String name() {
            return "consent." + purpose;
        }

        @Override
        public RetentionRule retention() {
            return AT_ONCE;
        }
    }

    /**
     * The objection rule of one purpose (GDPR Art. 21): values of the categories held on
     * legitimate interests or a public task for that purpose, of people whose latest word on it is
     * an objection (an objection request, a withdrawal on the ledger, GPC for targeting), are
     * deleted at once. {@code categories} maps each such category to the subject types it has that
     * basis for. Named {@code objection.<purpose>}.
     */
    record Objection(String purpose, Map<String, Set<String>> categories) implements SweepRule {
        @Override
        public String name() {
            return "objection." + purpose;
        }

        @Override
        public RetentionRule retention() {
            return Consent.AT_ONCE;
        }
    }

    /**
     * Every rule of a policy in the order a sweep applies them: profile rules first (a person
     * removed goes with everything, counted once under the rule that removed them), then the other
     * record rules in document order, then categories in document order, then one consent rule per
     * purpose that a consent-based category serves, then one objection rule per purpose that a
     * category held on legitimate interests or a public task serves.
     */
    static List<SweepRule> of(Policy policy) {
        var out = new ArrayList<SweepRule>();
        var profileRules = new ArrayList<SweepRule>();
        for (RecordRule r : policy.records().values()) {
            var types = new TreeSet<String>();
            if (r.kind() == RecordKind.PROFILE) {
                for (String type : policy.subjects().keySet()) {
                    if (dev.lethe.activity.GoverningRules.forSubject(policy, RecordKind.PROFILE, type)
                            .map(x -> x.name().equals(r.name()))
                            .orElse(false)) types.add(type);
                }
                if (!types.isEmpty()) profileRules.add(new Records(r, Set.copyOf(types)));
            } else {
                out.add(new Records(r, Set.copyOf(policy.subjects().keySet())));
            }
        }
        out.addAll(0, profileRules);
        for (Category c : policy.categories().values()) {
            var overridden = new TreeSet<String>();
            var overrides = new ArrayList<SweepRule>();
            c.bySubject().forEach((type, o) -> {
                if (o.retention() != null && c.subjects().contains(type)) {
                    overridden.add(type);
                    overrides.add(new Values(
                            c, o.retention(), "categories." + c.name() + ".bySubject." + type, Set.of(type)));
                }
            });
            if (c.retention() != null) {
                var rest = new TreeSet<>(c.subjects());
                rest.removeAll(overridden);
                if (!rest.isEmpty()) out.add(new Values(c, c.retention(), "categories." + c.name(), Set.copyOf(rest)));
            }
            out.addAll(overrides);
        }
        byPurpose(policy, Set.of(LawfulBasis.CONSENT))
                .forEach((purpose, categories) -> out.add(new Consent(purpose, categories)));
        byPurpose(policy, Set.of(LawfulBasis.LEGITIMATE_INTERESTS, LawfulBasis.PUBLIC_TASK))
                .forEach((purpose, categories) -> out.add(new Objection(purpose, categories)));
        return out;
    }

    /**
     * Purpose → category → the subject types the category is held for on one of {@code bases}
     * (as it applies to each type), in document order.
     */
    private static Map<String, Map<String, Set<String>>> byPurpose(Policy policy, Set<LawfulBasis> bases) {
        var byPurpose = new LinkedHashMap<String, Map<String, Set<String>>>();
        for (Category c : policy.categories().values()) {
            for (String type : c.subjects()) {
                var applied = c.forSubject(type);
                if (!bases.contains(applied.lawfulBasis())) continue;
                byPurpose
                        .computeIfAbsent(applied.purpose(), p -> new LinkedHashMap<>())
                        .computeIfAbsent(c.name(), n -> new TreeSet<>())
                        .add(type);
            }
        }
        return byPurpose;
    }
}
