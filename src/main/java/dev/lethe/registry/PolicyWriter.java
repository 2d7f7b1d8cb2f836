package dev.lethe.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Writes a policy back in its own document format, with every default spelled out. This canonical
 * form is what is stored, served and compared: reading it gives the same policy again.
 */
public final class PolicyWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PolicyWriter() {}

    public static ObjectNode tree(Policy p) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("lethe", p.formatVersion());
        ObjectNode controller = root.putObject("controller");
        controller.put("name", p.controller().name());
        controller.put("contact", p.controller().contact());
        putIfPresent(controller, "address", p.controller().address());
        putIfPresent(controller, "region", p.controller().region());
        ObjectNode consent = root.putObject("consentAge");
        consent.put("default", p.consentAge().defaultAge());
        if (!p.consentAge().byCountry().isEmpty()) {
            ObjectNode byCountry = consent.putObject("byCountry");
            p.consentAge().byCountry().forEach(byCountry::put);
        }
        ObjectNode subjects = root.putObject("subjects");
        p.subjects().values().forEach(s -> {
            ObjectNode node = subjects.putObject(s.name());
            putIfPresent(node, "description", s.description());
        });
        ObjectNode categories = root.putObject("categories");
        p.categories().values().forEach(c -> category(categories.putObject(c.name()), c));
        ObjectNode fields = root.putObject("fields");
        p.fields().forEach(fields::put);
        if (!p.customFields().isEmpty()) {
            ObjectNode custom = root.putObject("customFields");
            p.customFields().values().forEach(f -> {
                ObjectNode node = custom.putObject(f.key());
                node.put("displayName", f.displayName());
                node.put("category", f.category());
                node.put("type", f.type().wireName());
                if (f.filterable()) node.put("filterable", true);
            });
        }
        ObjectNode records = root.putObject("records");
        p.records().values().forEach(r -> {
            ObjectNode node = records.putObject(r.name());
            node.put("kind", r.kind().wireName());
            node.put("title", r.title());
            putIfPresent(node, "description", r.description());
            if (!r.match().isEmpty()) {
                ObjectNode match = node.putObject("match");
                r.match().forEach((k, v) -> strings(match.putArray(k), v));
            }
            node.set("retention", retention(r.retention()));
        });
        ArrayNode processors = root.putArray("processors");
        p.processors().forEach(proc -> {
            ObjectNode node = processors.addObject();
            node.put("name", proc.name());
            node.put("address", proc.address());
            node.put("purpose", proc.purpose());
            node.put("location", proc.location());
            strings(node.putArray("safeguards"), proc.safeguards());
            putIfPresent(node, "measures", proc.measures());
            node.put("required", proc.required());
            ObjectNode cats = node.putObject("categories");
            proc.categories().forEach((subject, list) -> strings(cats.putArray(subject), list));
            putIfPresent(node, "effectiveFrom", proc.effectiveFrom());
        });
        ArrayNode cookies = root.putArray("cookies");
        p.cookies().forEach(c -> {
            ObjectNode node = cookies.addObject();
            node.put("name", c.name());
            node.put("provider", c.provider());
            node.put("category", c.category().wireName());
            node.put("duration", c.isSessionCookie() ? "session" : c.duration().toString());
            node.put("purpose", c.purpose());
        });
        root.putObject("ingest")
                .put("knownPerson", p.ingest().knownPerson().wireName())
                .put("afterErasure", p.ingest().afterErasure().wireName());
        return root;
    }

    public static String json(Policy p) {
        try {
            return MAPPER.writeValueAsString(tree(p));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a policy tree always serialises", e);
        }
    }

    private static void category(ObjectNode node, Category c) {
        node.put("title", c.title());
        putIfPresent(node, "description", c.description());
        node.put("purpose", c.purpose());
        node.put("lawfulBasis", c.lawfulBasis().wireName());
        node.put("source", c.source().wireName());
        node.put("required", c.required());
        node.put("enabled", c.enabled());
        strings(node.putArray("subjects"), c.subjects());
        node.set("retention", retention(c.retention()));
        if (!c.bySubject().isEmpty()) {
            ObjectNode overrides = node.putObject("bySubject");
            c.bySubject().forEach((subject, o) -> {
                ObjectNode on = overrides.putObject(subject);
                putIfPresent(on, "description", o.description());
                putIfPresent(on, "purpose", o.purpose());
                if (o.lawfulBasis() != null)
                    on.put("lawfulBasis", o.lawfulBasis().wireName());
                if (o.source() != null) on.put("source", o.source().wireName());
                if (o.required() != null) on.put("required", o.required());
                if (o.retention() != null) on.set("retention", retention(o.retention()));
            });
        }
    }

    private static JsonNode retention(RetentionRule r) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("period", r.period().toString());
        if (r.after().size() == 1) node.put("after", r.after().get(0).wireName());
        else
            strings(
                    node.putArray("after"),
                    r.after().stream().map(Trigger::wireName).toList());
        node.put("then", r.then().wireName());
        return node;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static void putIfPresent(ObjectNode node, String key, String value) {
        if (value != null) node.put(key, value);
    }
}
