package dev.lethe.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What changed between two policies: per section (subjects, categories, fields, records,
 * processors, cookies, and the controller and consent ages as "general"), which entries were
 * added, removed or changed and how, and separately every retention period that grew or shrank.
 */
public record PolicyDiff(Map<String, Section> sections, List<PeriodChange> periods) {

    /** Entries of one section that were added, removed or changed. */
    public record Section(List<String> added, List<String> removed, List<Changed> changed) {

        boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }
    }

    /** One entry that is in both and differs; each change names the path inside it. */
    public record Changed(String name, List<Change> changes) {}

    /** A value at {@code path} went from {@code from} to {@code to} (null when absent). */
    public record Change(String path, JsonNode from, JsonNode to) {}

    /** A retention period of a category or record: longer, shorter, added or removed. */
    public record PeriodChange(String path, String from, String to, String direction) {}

    @JsonIgnore
    public boolean isEmpty() {
        return sections.isEmpty() && periods.isEmpty();
    }

    public static PolicyDiff between(Policy from, Policy to) {
        ObjectNode a = PolicyWriter.tree(from);
        ObjectNode b = PolicyWriter.tree(to);
        var sections = new LinkedHashMap<String, Section>();
        section(sections, "general", general(a), general(b));
        for (String name : List.of("subjects", "categories", "fields", "customFields", "records")) {
            section(sections, name, entries(a.get(name)), entries(b.get(name)));
        }
        for (String name : List.of("processors", "cookies")) {
            section(sections, name, byName(a.get(name)), byName(b.get(name)));
        }
        return new PolicyDiff(sections, periods(from, to));
    }

    private static Map<String, JsonNode> general(ObjectNode root) {
        var out = new LinkedHashMap<String, JsonNode>();
        out.put("lethe", root.get("lethe"));
        out.put("controller", root.get("controller"));
        out.put("consentAge", root.get("consentAge"));
        out.put("ingest", root.get("ingest"));
        return out;
    }

    private static Map<String, JsonNode> entries(JsonNode node) {
        var out = new LinkedHashMap<String, JsonNode>();
        if (node == null) return out;
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static Map<String, JsonNode> byName(JsonNode list) {
        var out = new LinkedHashMap<String, JsonNode>();
        list.forEach(item -> out.put(item.get("name").asText(), item));
        return out;
    }

    private static void section(
            Map<String, Section> out, String name, Map<String, JsonNode> a, Map<String, JsonNode> b) {
        var added = new ArrayList<String>();
        var removed = new ArrayList<String>();
        var changed = new ArrayList<Changed>();
        for (String key : a.keySet()) if (!b.containsKey(key)) removed.add(key);
        for (var e : b.entrySet()) {
            JsonNode before = a.get(e.getKey());
            if (before == null) added.add(e.getKey());
            else if (!before.equals(e.getValue())) {
                var changes = new ArrayList<Change>();
                leaves("", before, e.getValue(), changes);
                changed.add(new Changed(e.getKey(), changes));
            }
        }
        var section = new Section(added, removed, changed);
        if (!section.isEmpty()) out.put(name, section);
    }

    /** Differences between two values, down to the leaves of objects; lists compare whole. */
    private static void leaves(String path, JsonNode a, JsonNode b, List<Change> out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            var keys = new LinkedHashSet<String>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) leaves(path.isEmpty() ? key : path + "." + key, a.get(key), b.get(key), out);
        } else if (a == null ? b != null : !a.equals(b)) {
            out.add(new Change(path, a, b));
        }
    }

    private static List<PeriodChange> periods(Policy from, Policy to) {
        var before = retentionPeriods(from);
        var after = retentionPeriods(to);
        var out = new ArrayList<PeriodChange>();
        for (var e : before.entrySet()) {
            Period next = after.get(e.getKey());
            if (next == null) out.add(new PeriodChange(e.getKey(), e.getValue().toString(), null, "removed"));
            else {
                int cmp = Durations.compare(e.getValue(), next);
                if (cmp != 0 || !e.getValue().equals(next)) {
                    out.add(new PeriodChange(
                            e.getKey(),
                            e.getValue().toString(),
                            next.toString(),
                            cmp < 0 ? "longer" : cmp > 0 ? "shorter" : "same length"));
                }
            }
        }
        for (var e : after.entrySet()) {
            if (!before.containsKey(e.getKey()))
                out.add(new PeriodChange(e.getKey(), null, e.getValue().toString(), "added"));
        }
        return out;
    }

    /** Every retention period in a policy by path, e.g. categories.ip_address.retention.period. */
    static Map<String, Period> retentionPeriods(Policy p) {
        var out = new LinkedHashMap<String, Period>();
        p.categories().values().forEach(c -> {
            out.put(
                    "categories." + c.name() + ".retention.period",
                    c.retention().period());
            c.bySubject().forEach((s, o) -> {
                if (o.retention() != null)
                    out.put(
                            "categories." + c.name() + ".bySubject." + s + ".retention.period",
                            o.retention().period());
            });
        });
        p.records()
                .values()
                .forEach(r -> out.put(
                        "records." + r.name() + ".retention.period",
                        r.retention().period()));
        return out;
    }
}
