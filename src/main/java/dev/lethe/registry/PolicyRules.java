package dev.lethe.registry;

import java.util.Locale;
import java.util.Set;

/**
 * The checks that look across a policy: names that refer to other names, and the rules a lawful
 * policy must keep (transfers outside the EEA need a safeguard; a required category cannot be
 * switched off; only complete sessions can be summarised).
 */
final class PolicyRules {

    /** EU member states and the EEA's Iceland, Liechtenstein and Norway. */
    static final Set<String> EEA = Set.of(
            "EU", "EEA", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
            "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO");

    /** Every ISO 3166-1 alpha-2 country code. */
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    /** What a country code must be, for messages. */
    static final String COUNTRY_CODE = "ISO 3166-1 alpha-2 country code, such as BE, FR or US";

    private PolicyRules() {}

    /** True for an ISO 3166-1 alpha-2 country code (BE, GB, US), not for made-up ones (XX, UK). */
    static boolean isCountry(String code) {
        return code != null && COUNTRIES.contains(code);
    }

    /** The longest field path a policy may map (the size of the column that names a value's field). */
    static final int MAX_FIELD = 200;

    static void check(Policy p, DocumentCursor c) {
        var subjects = p.subjects().keySet();
        p.categories().values().forEach(cat -> category(p, cat, c));
        p.fields().forEach((field, category) -> {
            // a stored value names its field; the column holds 200 characters
            if (field.length() > MAX_FIELD) c.error("fields." + field, "is longer than " + MAX_FIELD + " characters");
            if (!p.categories().containsKey(category)) {
                c.error("fields." + field, "names unknown category '" + category + "'");
            }
        });
        p.customFields().values().forEach(f -> {
            String path = "customFields." + f.key();
            if (!f.key().matches(CustomField.KEY))
                c.error(path, "a key must be lower_snake_case, at most 64 characters");
            if (!p.categories().containsKey(f.category())) {
                c.error(path + ".category", "names unknown category '" + f.category() + "'");
            }
            String mapped = p.fields().get(f.field());
            if (mapped != null && !mapped.equals(f.category())) {
                c.error(path, "fields already maps " + f.field() + " to '" + mapped + "'");
            }
        });
        p.records().values().forEach(r -> {
            String path = "records." + r.name();
            if (r.retention().then() == Action.SUMMARISE && r.kind() != RecordKind.SESSION) {
                c.error(path + ".retention.then", "only records of kind session can be summarised");
            }
            inactivity(r.retention(), path + ".retention", c);
            erasedRecords(r.retention(), path + ".retention", c);
        });
        for (int i = 0; i < p.processors().size(); i++)
            processor(p, p.processors().get(i), "processors[" + i + "]", c);
        if (!subjects.isEmpty() && p.controller() == null) c.error("controller", "is required");
    }

    private static void category(Policy p, Category cat, DocumentCursor c) {
        String path = "categories." + cat.name();
        if (cat.subjects().isEmpty()) c.error(path + ".subjects", "must list at least one subject type");
        for (int i = 0; i < cat.subjects().size(); i++) {
            String s = cat.subjects().get(i);
            if (!p.subjects().containsKey(s))
                c.error(path + ".subjects[" + i + "]", "names unknown subject type '" + s + "'");
        }
        if (cat.retention() != null && cat.retention().then() == Action.SUMMARISE) {
            c.error(path + ".retention.then", "only records of kind session can be summarised, not a category");
        }
        if (cat.required() && !cat.enabled()) {
            c.error(path + ".enabled", "a required category cannot be switched off; mark it required: false first");
        }
        cat.bySubject().forEach((subject, o) -> {
            if (!cat.subjects().contains(subject)) {
                c.error(path + ".bySubject." + subject, "'" + subject + "' is not among this category's subjects");
            }
        });
        if (cat.retention() != null) {
            inactivity(cat.retention(), path + ".retention", c);
            valueTriggers(cat.retention(), path + ".retention", c);
        }
        cat.bySubject().forEach((subject, o) -> {
            if (o.retention() != null) valueTriggers(o.retention(), path + ".bySubject." + subject + ".retention", c);
        });
    }

    /**
     * A category's values are judged by when they were collected or by facts about their person
     * (a contract's end, inactivity, erasure). The times of a communication (its send-at date, its
     * conversation's start, its campaign's end) belong to the message records that carry them.
     */
    private static void valueTriggers(RetentionRule rule, String path, DocumentCursor c) {
        for (Trigger t : rule.after()) {
            if (t instanceof Trigger.Sent
                    || t instanceof Trigger.ConversationStarted
                    || t instanceof Trigger.CampaignEnded)
                c.error(
                        path + ".after",
                        "'" + t.wireName() + "' is a time of a message, not of a value: use it on a record rule"
                                + " (kind message, message_log or campaign); a category counts from collected,"
                                + " contract_ended, inactive <period> or erased");
        }
    }

    /**
     * An erasure deletes every record of the person at once: a record rule cannot keep records
     * past it. {@code erased} with no period says just that, and is accepted; with a period it
     * would promise what Lethe does not do. Values are kept past an erasure by their category's
     * rule ({@code after: erased} on the category: a rule hold).
     */
    private static void erasedRecords(RetentionRule rule, String path, DocumentCursor c) {
        if (rule.after().contains(new Trigger.Erased()) && !rule.period().isZero())
            c.error(
                    path + ".after",
                    "'erased' with a period cannot apply to records: an erasure deletes the person's records at"
                            + " once. To keep values past an erasure, give their category the rule (after: erased)");
    }

    private static void inactivity(RetentionRule rule, String path, DocumentCursor c) {
        for (Trigger t : rule.after()) {
            if (t instanceof Trigger.Inactive i && i.period().isZero()) {
                c.error(path + ".after", "an inactivity period must be longer than zero");
            }
        }
    }

    private static void processor(Policy p, Processor proc, String path, DocumentCursor c) {
        if (proc.effectiveFrom() != null && proc.effectiveInstant().isEmpty()) {
            c.error(
                    path + ".effectiveFrom",
                    "must be an ISO date (2026-07-01) or instant (2026-07-01T00:00:00Z), not '" + proc.effectiveFrom()
                            + "'");
        }
        String location = proc.location();
        if (location != null) {
            if (!location.matches("EU|EEA") && !isCountry(location)) {
                c.error(path + ".location", "must be EU, EEA or an " + COUNTRY_CODE);
            } else if (!EEA.contains(location) && proc.safeguards().isEmpty()) {
                c.error(
                        path + ".safeguards",
                        "data goes to " + location + ", outside the EEA: name a safeguard ("
                                + String.join(", ", Processor.SAFEGUARDS) + ")");
            }
        }
        for (int i = 0; i < proc.safeguards().size(); i++) {
            String s = proc.safeguards().get(i);
            if (!Processor.SAFEGUARDS.contains(s))
                c.error(
                        path + ".safeguards[" + i + "]",
                        "'" + s + "' is not one of: " + String.join(", ", Processor.SAFEGUARDS));
        }
        if (proc.categories().isEmpty())
            c.error(path + ".categories", "must name the categories it receives for at least one subject type");
        proc.categories().forEach((subject, cats) -> {
            String at = path + ".categories." + subject;
            if (!p.subjects().containsKey(subject)) {
                c.error(at, "names unknown subject type '" + subject + "'");
                return;
            }
            for (int i = 0; i < cats.size(); i++) {
                String name = cats.get(i);
                var category = p.categories().get(name);
                if (category == null) c.error(at + "[" + i + "]", "names unknown category '" + name + "'");
                else if (!category.subjects().contains(subject))
                    c.error(
                            at + "[" + i + "]",
                            "category '" + name + "' is not held for subject type '" + subject + "'");
            }
        });
    }
}
