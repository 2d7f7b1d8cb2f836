package dev.lethe.registry;

import dev.lethe.accounts.RetentionExtension;
import dev.lethe.errors.FieldError;
import java.time.Period;
import java.util.ArrayList;
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
 * is bounded by the default's longest-lived record of the same kind.
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
            var bound = platformDefault.categories().get(c.name());
            if (bound == null) return;
            String target = "categories." + c.name();
            check(target + ".retention", c.retention(), bound.retention(), approved.get(target), errors);
            for (String subject : c.bySubject().keySet()) {
                check(
                        target + ".bySubject." + subject + ".retention",
                        c.forSubject(subject).retention(),
                        bound.forSubject(subject).retention(),
                        approved.get(target),
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
            check(target + ".retention", r.retention(), bound.retention(), approved.get(target), errors);
        });
        return errors;
    }

    private static void check(
            String path, RetentionRule rule, RetentionRule bound, Period extension, List<FieldError> errors) {
        Period limit =
                extension != null && Durations.compare(extension, bound.period()) > 0 ? extension : bound.period();
        if (Durations.compare(rule.period(), limit) > 0) {
            errors.add(new FieldError(
                    path + ".period",
                    rule.period() + " is longer than the "
                            + (limit == extension ? "approved extension " : "platform default ") + limit
                            + "; ask the operator to approve an extension"));
        }
        if (extension != null) return; // an approved extension lifts the limit on the triggers too
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
                } else if (Durations.compare(window, limitWindow.period()) > 0) {
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
