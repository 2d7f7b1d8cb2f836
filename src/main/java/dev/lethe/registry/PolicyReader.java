package dev.lethe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.errors.FieldError;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Reads a policy document (YAML or JSON) and checks it, reporting every error with its path. A
 * policy comes out only when there is no error at all. The format is docs/policy-format.md.
 */
public final class PolicyReader {

    private static final Set<String> TOP = Set.of(
            "customFields",
            "lethe",
            "controller",
            "consentAge",
            "subjects",
            "categories",
            "fields",
            "records",
            "processors",
            "cookies",
            "ingest");
    private static final Set<String> INGEST = Set.of("knownPerson", "afterErasure");
    private static final Set<String> CONTROLLER = Set.of("name", "contact", "address", "region");
    private static final Set<String> CONSENT_AGE = Set.of("default", "byCountry");
    private static final Set<String> SUBJECT = Set.of("description");
    private static final Set<String> CATEGORY = Set.of(
            "title",
            "description",
            "purpose",
            "lawfulBasis",
            "source",
            "required",
            "enabled",
            "subjects",
            "retention",
            "bySubject");
    private static final Set<String> OVERRIDE =
            Set.of("description", "purpose", "lawfulBasis", "source", "required", "retention");
    private static final Set<String> RETENTION = Set.of("period", "after", "then");
    private static final Set<String> RECORD = Set.of("kind", "title", "description", "match", "retention");
    private static final Set<String> PROCESSOR = Set.of(
            "name",
            "address",
            "purpose",
            "location",
            "safeguards",
            "measures",
            "required",
            "categories",
            "effectiveFrom");
    private static final Set<String> COOKIE = Set.of("name", "provider", "category", "duration", "purpose");

    /** The outcome of reading: a policy, or every error found. */
    public record Result(Policy policy, List<FieldError> errors) {

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private PolicyReader() {}

    /** Reads {@code text}; JSON when it starts with '{' or the caller says so, YAML otherwise. */
    public static Result read(String text, boolean json) {
        var errors = new ArrayList<FieldError>();
        boolean asJson = json || text.stripLeading().startsWith("{");
        JsonNode root = DocumentTree.read(text, asJson, errors);
        if (root == null) return new Result(null, List.copyOf(errors));
        var cursor = new DocumentCursor(errors);
        Policy policy = new PolicyReader.Pass(cursor).policy(root);
        if (policy != null) PolicyRules.check(policy, cursor);
        var sorted = errors.stream().distinct().sorted().toList();
        return new Result(sorted.isEmpty() ? policy : null, sorted);
    }

    public static Result read(String text) {
        return read(text, false);
    }

    /**
     * The errors of a policy put together by Lethe rather than read (a version with a custom field
     * added, kept or removed): the checks that look across a policy, as for a document.
     */
    public static List<FieldError> check(Policy policy) {
        var errors = new ArrayList<FieldError>();
        PolicyRules.check(policy, new DocumentCursor(errors));
        return errors.stream().distinct().sorted().toList();
    }

    /**
     * Reads a version as it was stored (canonical JSON written by {@link PolicyWriter}). Only the
     * structure is read: a version accepted under older rules stays readable when the rules grow
     * stricter, since versions are immutable.
     */
    public static Policy readStored(String canonicalJson) {
        var errors = new ArrayList<FieldError>();
        JsonNode root = DocumentTree.read(canonicalJson, true, errors);
        Policy policy = root == null ? null : new PolicyReader.Pass(new DocumentCursor(errors)).policy(root);
        if (policy == null) throw new IllegalStateException("a stored policy version does not read: " + errors);
        return policy;
    }

    /** One reading of one document. */
    private record Pass(DocumentCursor c) {

        Policy policy(JsonNode root) {
            if (c.object(root, "", TOP) == null) return null;
            Integer format = c.integer(root, "", "lethe", 0, Integer.MAX_VALUE);
            if (root.get("lethe") == null) c.error("lethe", "is required: the format version, 1");
            else if (format != null && format != Policy.FORMAT_VERSION)
                c.error("lethe", "unsupported format version " + format + " (this Lethe reads 1)");
            var controller = controller(root.get("controller"));
            var consentAge = consentAge(root.get("consentAge"));
            var subjects = c.entries(root.get("subjects"), "subjects", this::subject);
            if (subjects.isEmpty()) c.error("subjects", "declare at least one subject type");
            var categories = c.entries(root.get("categories"), "categories", this::category);
            var fields = fields(root.get("fields"));
            var customFields = c.entries(root.get("customFields"), "customFields", this::customField);
            var records = c.entries(root.get("records"), "records", this::record);
            var processors = list(root.get("processors"), "processors", this::processor);
            var cookies = list(root.get("cookies"), "cookies", this::cookie);
            var ingest = ingest(root.get("ingest"));
            return new Policy(
                    format == null ? Policy.FORMAT_VERSION : format,
                    controller,
                    consentAge,
                    subjects,
                    categories,
                    fields,
                    customFields,
                    records,
                    processors,
                    cookies,
                    ingest);
        }

        /** What an ingest key may change on a known person; absent means the safe default. */
        Policy.Ingest ingest(JsonNode n) {
            if (n == null || n.isNull()) return Policy.Ingest.DEFAULT;
            if (c.object(n, "ingest", INGEST) == null) return Policy.Ingest.DEFAULT;
            return new Policy.Ingest(
                    c.choice(n, "ingest", "knownPerson", KnownPerson.class, false),
                    c.choice(n, "ingest", "afterErasure", AfterErasure.class, false));
        }

        Policy.Controller controller(JsonNode n) {
            if (n == null) {
                c.error("controller", "is required: who is responsible for the data (name, contact)");
                return null;
            }
            if (c.object(n, "controller", CONTROLLER) == null) return null;
            return new Policy.Controller(
                    c.text(n, "controller", "name", true),
                    c.text(n, "controller", "contact", true),
                    c.text(n, "controller", "address", false),
                    region(c.text(n, "controller", "region", false)));
        }

        String region(String region) {
            if (region != null && !region.matches("EU|EEA|UK") && !PolicyRules.isCountry(region)) {
                c.error("controller.region", "must be EU, EEA, UK or an " + PolicyRules.COUNTRY_CODE);
            }
            return region;
        }

        /**
         * The digital age of consent: 16 by default under the GDPR, which a member state may lower
         * to no less than 13 (Art. 8(1)); outside the EEA laws set it from 13 (the UK, the US) to
         * 18 (India), so a country there may have up to 18.
         */
        Policy.ConsentAge consentAge(JsonNode n) {
            if (n == null || n.isNull()) return Policy.ConsentAge.GDPR_DEFAULT;
            if (c.object(n, "consentAge", CONSENT_AGE) == null) return Policy.ConsentAge.GDPR_DEFAULT;
            Integer def = age(n.get("default"), "consentAge.default", 16);
            var byCountry = new LinkedHashMap<String, Integer>();
            JsonNode countries = n.get("byCountry");
            if (countries != null && !countries.isNull()) {
                if (!countries.isObject()) c.error("consentAge.byCountry", "must map country codes to ages");
                else
                    countries.fields().forEachRemaining(e -> {
                        String path = "consentAge.byCountry." + e.getKey();
                        boolean country = PolicyRules.isCountry(e.getKey());
                        if (!country) c.error(path, "must be keyed by an " + PolicyRules.COUNTRY_CODE);
                        Integer age = age(e.getValue(), path, PolicyRules.EEA.contains(e.getKey()) ? 16 : 18);
                        if (age != null && country) byCountry.put(e.getKey(), age);
                    });
            }
            return new Policy.ConsentAge(def == null ? 16 : def, byCountry);
        }

        private Integer age(JsonNode n, String path, int max) {
            if (n == null || n.isNull()) return null;
            if (!n.isIntegralNumber() || n.asLong() < 13 || n.asLong() > max) {
                c.error(
                        path,
                        "must be a whole number from 13 to " + max
                                + (max == 16
                                        ? ": the GDPR's digital age of consent is 16, which a member state may lower"
                                                + " to no less than 13 (Art. 8(1))"
                                        : ": outside the EEA, laws set the digital age of consent from 13 (UK, US)"
                                                + " to 18 (India)"));
                return null;
            }
            return n.asInt();
        }

        Policy.SubjectType subject(String name, JsonNode n) {
            String path = "subjects." + name;
            if (n == null || n.isNull()) return new Policy.SubjectType(name, null);
            if (c.object(n, path, SUBJECT) == null) return null;
            return new Policy.SubjectType(name, c.text(n, path, "description", false));
        }

        Category category(String name, JsonNode n) {
            String path = "categories." + name;
            if (c.object(n, path, CATEGORY) == null) return null;
            var retention = retention(n, path, true);
            var bySubject = new LinkedHashMap<String, Category.Override>();
            JsonNode overrides = n.get("bySubject");
            if (overrides != null && !overrides.isNull()) {
                bySubject.putAll(c.entries(
                        overrides, path + ".bySubject", (subject, o) -> override(path + ".bySubject." + subject, o)));
            }
            Boolean required = c.bool(n, path, "required");
            Boolean enabled = c.bool(n, path, "enabled");
            var subjects = c.texts(n, path, "subjects");
            if (n.get("subjects") == null)
                c.error(path + ".subjects", "is required: the subject types this category is held for");
            return new Category(
                    name,
                    titleOrName(c.text(n, path, "title", false), name),
                    c.text(n, path, "description", false),
                    c.text(n, path, "purpose", true),
                    c.choice(n, path, "lawfulBasis", LawfulBasis.class, true),
                    c.choice(n, path, "source", Source.class, true),
                    required == null || required,
                    enabled == null || enabled,
                    subjects,
                    retention,
                    bySubject);
        }

        Category.Override override(String path, JsonNode n) {
            if (c.object(n, path, OVERRIDE) == null) return null;
            return new Category.Override(
                    c.text(n, path, "description", false),
                    c.text(n, path, "purpose", false),
                    c.choice(n, path, "lawfulBasis", LawfulBasis.class, false),
                    c.choice(n, path, "source", Source.class, false),
                    c.bool(n, path, "required"),
                    n.has("retention") ? retention(n, path, false) : null);
        }

        RetentionRule retention(JsonNode parent, String path, boolean required) {
            JsonNode n = parent.get("retention");
            String at = path + ".retention";
            if (n == null || n.isNull()) {
                if (required)
                    c.error(at, "is required: every category and record needs a retention rule (period, after, then)");
                return null;
            }
            if (c.object(n, at, RETENTION) == null) return null;
            Period period = c.period(n, at, "period", true);
            var triggers = new ArrayList<Trigger>();
            List<String> after = c.texts(n, at, "after");
            for (int i = 0; i < after.size(); i++) {
                String text = after.get(i);
                String where = at + ".after" + (n.get("after").isArray() ? "[" + i + "]" : "");
                Trigger.fromWire(text)
                        .ifPresentOrElse(
                                triggers::add,
                                () -> c.error(where, "'" + text + "' is not a trigger (" + Trigger.WIRE_NAMES + ")"));
            }
            if (after.isEmpty()) triggers.add(new Trigger.Collected());
            Action then = n.has("then") ? c.choice(n, at, "then", Action.class, false) : Action.DELETE;
            if (period == null || then == null || triggers.size() != after.size() && !after.isEmpty()) return null;
            return new RetentionRule(period, triggers, then);
        }

        Map<String, String> fields(JsonNode n) {
            var out = new LinkedHashMap<String, String>();
            if (n == null || n.isNull()) return out;
            if (!n.isObject()) {
                c.error("fields", "must map field paths (traits.email) to category names");
                return out;
            }
            n.fields().forEachRemaining(e -> {
                String path = "fields." + e.getKey();
                if (!e.getKey()
                        .matches("(traits|properties|context|identifiers|message|traffic)\\.[A-Za-z0-9_.\\-]+")) {
                    c.error(
                            path,
                            "a field path starts with traits., properties., context., identifiers., message. or traffic.");
                }
                if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) c.error(path, "must name a category");
                else out.put(e.getKey(), e.getValue().asText().strip());
            });
            return out;
        }

        CustomField customField(String key, JsonNode n) {
            String path = "customFields." + key;
            if (c.object(n, path, Set.of("displayName", "category", "type", "filterable")) == null) return null;
            var type = n.has("type") ? c.choice(n, path, "type", CustomField.Type.class, false) : CustomField.Type.TEXT;
            String category = c.text(n, path, "category", true);
            String displayName = c.text(n, path, "displayName", false);
            if (type == null || category == null) return null;
            boolean filterable = Boolean.TRUE.equals(c.bool(n, path, "filterable"));
            return new CustomField(
                    key, displayName == null ? key.replace('_', ' ') : displayName, category, type, filterable);
        }

        RecordRule record(String name, JsonNode n) {
            String path = "records." + name;
            if (c.object(n, path, RECORD) == null) return null;
            var match = new LinkedHashMap<String, List<String>>();
            JsonNode m = n.get("match");
            if (m != null && !m.isNull() && c.object(m, path + ".match", Set.copyOf(RecordRule.MATCH_KEYS)) != null) {
                m.fieldNames().forEachRemaining(key -> {
                    if (!RecordRule.MATCH_KEYS.contains(key)) return;
                    var values = c.texts(m, path + ".match", key);
                    if (values.isEmpty()) c.error(path + ".match." + key, "must list at least one value");
                    else match.put(key, values);
                });
            }
            var kind = c.choice(n, path, "kind", RecordKind.class, true);
            var retention = retention(n, path, true);
            if (kind == null || retention == null) return null;
            return new RecordRule(
                    name,
                    kind,
                    titleOrName(c.text(n, path, "title", false), name),
                    c.text(n, path, "description", false),
                    match,
                    retention);
        }

        Processor processor(String path, JsonNode n) {
            if (c.object(n, path, PROCESSOR) == null) return null;
            Boolean required = c.bool(n, path, "required");
            var categories = new LinkedHashMap<String, List<String>>();
            JsonNode cats = n.get("categories");
            if (cats == null || cats.isNull())
                c.error(path + ".categories", "is required: the categories it receives, per subject type");
            else if (!cats.isObject()) c.error(path + ".categories", "must map subject types to lists of categories");
            else
                cats.fieldNames()
                        .forEachRemaining(
                                subject -> categories.put(subject, c.texts(cats, path + ".categories", subject)));
            return new Processor(
                    c.text(n, path, "name", true),
                    c.text(n, path, "address", true),
                    c.text(n, path, "purpose", true),
                    c.text(n, path, "location", true),
                    c.texts(n, path, "safeguards"),
                    c.text(n, path, "measures", false),
                    required == null || required,
                    categories,
                    c.text(n, path, "effectiveFrom", false));
        }

        /** A cookie, every mistake in it named: a bad duration does not hide a missing provider. */
        Cookie cookie(String path, JsonNode n) {
            if (c.object(n, path, COOKIE) == null) return null;
            String name = c.text(n, path, "name", true);
            String provider = c.text(n, path, "provider", true);
            CookieCategory category = c.choice(n, path, "category", CookieCategory.class, true);
            String purpose = c.text(n, path, "purpose", true);
            String durationText = c.text(n, path, "duration", true);
            Period duration = null;
            if (durationText != null && !durationText.equals("session")) {
                duration = c.period(n, path, "duration", true);
                if (duration == null) return null;
            }
            return new Cookie(name, provider, category, duration, purpose);
        }

        <T> List<T> list(JsonNode n, String path, BiFunction<String, JsonNode, T> read) {
            var out = new ArrayList<T>();
            if (n == null || n.isNull()) return out;
            if (!n.isArray()) {
                c.error(path, "must be a list");
                return out;
            }
            var names = new HashSet<String>();
            for (int i = 0; i < n.size(); i++) {
                String at = path + "[" + i + "]";
                T item = read.apply(at, n.get(i));
                if (item != null) out.add(item);
                JsonNode name = n.get(i).get("name");
                if (name != null && name.isTextual() && !names.add(name.asText().strip())) {
                    c.error(at + ".name", "duplicate name '" + name.asText().strip() + "'");
                }
            }
            return out;
        }

        private static String titleOrName(String title, String name) {
            return title != null ? title : name.replace('_', ' ');
        }
    }
}
