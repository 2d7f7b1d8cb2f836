package dev.lethe.registry;

import dev.lethe.accounts.RetentionExtension;
import dev.lethe.errors.FieldError;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's limits on an account's policy. An account may shorten any retention freely, but
 * may not keep a category or record that the platform default also governs for longer than the
 * default allows, unless the operator approved an extension for that account. Longer means a
 * longer period, a longer inactivity window, or dropping a trigger the default stops the clock
 * with (the default's triggers are "whichever comes first"). Counting from collection instead
 * never ends later, except in place of a conversation's start. A record the default does not name
 * is bounded by the default's longest-lived record of the same kind, and a category it does not
 * name by its longest-lived category. Every subject type is checked, including those for which
 * the default has an override the account left out.
 */
public final class OperatorBounds {

    private OperatorBounds() {}

    public static List<FieldError> violations(
            Policy proposed, Policy platformDefault, List<RetentionExtension> extensions) {
        var errors = new ArrayList<FieldError>();
        if (platformDefault == null) return errors;
        Map<String, Period> approved = extensions.stream()
                .collect(Collectors.toMap(RetentionExtension::target, RetentionExtension::maxPeriod));
        proposed.categories().values().forEach(c -> {
            // A category the default does not name is bounded by the default's longest-lived
            // category, so renaming a category does not escape the operator's limit.
            var bound = platformDefault.categories().get(c.name());
            boolean named = bound != null;
            if (!named) bound = longestCategory(platformDefault);
            if (bound == null) return;
            String target = "categories." + c.name();
            var limit = bound;
            check(target + ".retention", c.retention(), limit.retention(), approved.get(target), named, errors);
            // Every subject type is checked, also those whose override the account left out.
            var subjects = new LinkedHashSet<>(c.bySubject().keySet());
            subjects.addAll(limit.bySubject().keySet());
            for (String subject : subjects) {
                var own = c.forSubject(subject).retention();
                var bounded = limit.forSubject(subject).retention();
                if (own.equals(c.retention()) && bounded.equals(limit.retention())) continue; // checked above
                check(
                        target + (c.bySubject().containsKey(subject) ? ".bySubject." + subject : "") + ".retention",
                        own,
                        bounded,
                        approved.get(target),
                        named,
                        errors);
            }
        });
        proposed.records().values().forEach(r -> {
            // A record the default does not name is bounded by the default's longest-lived record of
            // the same kind, so renaming a record does not escape the operator's limit.
            var bound = platformDefault.records().get(r.name());
            if (bound == null) bound = longestOfKind(platformDefault, r.kind());
            if (bound == null) return;
            String target = "records." + r.name();
            check(target + ".retention", r.retention(), bound.retention(), approved.get(target), true, errors);
        });
        return errors;
    }

    private static void check(
            String path,
            RetentionRule rule,
            RetentionRule bound,
            Period extension,
            boolean sameName,
            List<FieldError> errors) {
        Period limit =
                extension != null && Durations.compare(extension, bound.period()) > 0 ? extension : bound.period();
        boolean within = !Durations.exceeds(rule.period(), bound.period())
                || (extension != null && !Durations.exceeds(rule.period(), extension));
        if (!within) {
            errors.add(new FieldError(
                    path + ".period",
                    rule.period() + " is longer than the "
                            + (limit == extension ? "approved extension " : "platform default ") + limit
                            + "; ask the operator to approve an extension"));
        }
        // An extension raises the period only; the default's triggers still apply. A category the
        // default does not name is bounded by period alone (its triggers are its own business).
        if (!sameName) return;
        Function<RetentionRule, Period> inactivity = r -> r.after().stream()
                .filter(t -> t instanceof Trigger.Inactive)
                .map(t -> ((Trigger.Inactive) t).period())
                .findFirst()
                .orElse(null);
        boolean fromCollection = rule.after().contains(new Trigger.Collected());
        for (Trigger t : bound.after()) {
            if (fromCollection && notBeforeCollection(t)) continue; // the rule's clock starts no later
            if (t instanceof Trigger.Inactive limitWindow) {
                Period window = inactivity.apply(rule);
                if (window == null) {
                    errors.add(new FieldError(
                            path + ".after", "drops '" + t.wireName() + "', which the platform default requires"));
                } else if (Durations.exceeds(window, limitWindow.period())) {
                    errors.add(new FieldError(
                            path + ".after",
                            "inactive " + window + " is longer than the platform default's " + t.wireName()));
                }
            } else if (!rule.after().contains(t)) {
                errors.add(new FieldError(
                        path + ".after", "drops '" + t.wireName() + "', which the platform default requires"));
            }
        }
    }

    private static Category longestCategory(Policy platformDefault) {
        return platformDefault.categories().values().stream()
                .max((a, b) ->
                        Durations.compare(a.retention().period(), b.retention().period()))
                .orElse(null);
    }

    private static RecordRule longestOfKind(Policy platformDefault, RecordKind kind) {
        return platformDefault.records().values().stream()
                .filter(r -> r.kind() == kind)
                .max((a, b) ->
                        Durations.compare(a.retention().period(), b.retention().period()))
                .orElse(null);
    }

    /**
     * True when the trigger never fires before the value or record was collected: inactivity counts
     * from a last activity, a contract or campaign ends, a message is sent, a subject is erased only
     * after the data exists. A conversation, though, starts before its later messages are collected.
     */
    private static boolean notBeforeCollection(Trigger t) {
        return !(t instanceof Trigger.ConversationStarted);
    }
}
