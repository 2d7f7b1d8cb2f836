package dev.lethe.subscriptions;

import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyDiff;
import dev.lethe.registry.Processor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a new policy version changes in the sub-processor list, from {@link PolicyDiff}: processors
 * added (with when they take effect), removed, and changed (which of their fields).
 */
record ProcessorChanges(List<Added> added, List<String> removed, List<Changed> changed) {

    /** A processor added, and when it takes effect (null: at once). */
    record Added(String name, String purpose, String location, String effectiveFrom) {}

    /** A processor in both whose entry differs: the paths that changed, and its effectiveFrom now. */
    record Changed(String name, List<String> fields, String effectiveFrom) {}

    static ProcessorChanges between(Optional<Policy> before, Policy after) {
        Policy from = before.orElse(null);
        if (from == null) {
            return new ProcessorChanges(
                    after.processors().stream().map(ProcessorChanges::added).toList(), List.of(), List.of());
        }
        var section = PolicyDiff.between(from, after).sections().get("processors");
        if (section == null) return new ProcessorChanges(List.of(), List.of(), List.of());
        var added = new ArrayList<Added>();
        for (String name : section.added())
            find(after, name).map(ProcessorChanges::added).ifPresent(added::add);
        var changed = new ArrayList<Changed>();
        for (var c : section.changed()) {
            changed.add(new Changed(
                    c.name(),
                    c.changes().stream().map(PolicyDiff.Change::path).distinct().toList(),
                    find(after, c.name()).map(Processor::effectiveFrom).orElse(null)));
        }
        return new ProcessorChanges(added, List.copyOf(section.removed()), changed);
    }

    boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** The names of every processor concerned. */
    Map<String, Object> summary(int version) {
        var out = new LinkedHashMap<String, Object>();
        out.put("policyVersion", version);
        out.put("added", added);
        out.put("removed", removed);
        out.put("changed", changed);
        return out;
    }

    /** The change in words, for a mail. */
    String text(Instant now) {
        var out = new StringBuilder();
        if (!added.isEmpty()) {
            out.append("Added:\n");
            for (var a : added) {
                out.append("- ")
                        .append(a.name())
                        .append(" (")
                        .append(a.purpose())
                        .append(", ")
                        .append(a.location())
                        .append(")");
                out.append(when(a.effectiveFrom(), now)).append('\n');
            }
        }
        if (!removed.isEmpty()) {
            out.append("Removed:\n");
            for (String r : removed) out.append("- ").append(r).append('\n');
        }
        if (!changed.isEmpty()) {
            out.append("Changed:\n");
            for (var c : changed) {
                out.append("- ").append(c.name()).append(": ").append(String.join(", ", c.fields()));
                out.append(when(c.effectiveFrom(), now)).append('\n');
            }
        }
        return out.toString();
    }

    private static String when(String effectiveFrom, Instant now) {
        var at = Processor.parseEffective(effectiveFrom);
        if (at.isEmpty() || !at.get().isAfter(now)) return "; in effect now";
        return "; takes effect " + effectiveFrom + " (upcoming: it receives no data before then)";
    }

    private static Added added(Processor p) {
        return new Added(p.name(), p.purpose(), p.location(), p.effectiveFrom());
    }

    private static Optional<Processor> find(Policy p, String name) {
        return p.processors().stream().filter(x -> x.name().equals(name)).findFirst();
    }
}
