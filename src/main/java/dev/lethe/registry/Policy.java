package dev.lethe.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An account's policy: which personal data it holds, about whom, why, for how long, and who else
 * receives it. Maps keep the order of the document (records match first-to-last). See
 * docs/policy-format.md for the format this is read from.
 */
public record Policy(
        int formatVersion,
        Controller controller,
        ConsentAge consentAge,
        Map<String, SubjectType> subjects,
        Map<String, Category> categories,
        Map<String, String> fields,
        Map<String, CustomField> customFields,
        Map<String, RecordRule> records,
        List<Processor> processors,
        List<Cookie> cookies,
        Ingest ingest) {

    public static final int FORMAT_VERSION = 1;

    public Policy {
        subjects = Collections2.orderedCopy(subjects);
        categories = Collections2.orderedCopy(categories);
        fields = Collections2.orderedCopy(fields);
        customFields = Collections2.orderedCopy(customFields);
        records = Collections2.orderedCopy(records);
        processors = List.copyOf(processors);
        cookies = List.copyOf(cookies);
        if (ingest == null) ingest = Ingest.DEFAULT;
    }

    /** A policy with the default ingest settings. */
    public Policy(
            int formatVersion,
            Controller controller,
            ConsentAge consentAge,
            Map<String, SubjectType> subjects,
            Map<String, Category> categories,
            Map<String, String> fields,
            Map<String, CustomField> customFields,
            Map<String, RecordRule> records,
            List<Processor> processors,
            List<Cookie> cookies) {
        this(
                formatVersion,
                controller,
                consentAge,
                subjects,
                categories,
                fields,
                customFields,
                records,
                processors,
                cookies,
                Ingest.DEFAULT);
    }

    public Optional<Category> category(String name) {
        return Optional.ofNullable(categories.get(name));
    }

    /**
     * The subject type of a person who identifies without naming one: {@code profile} when the
     * policy declares it, else its first type. Identify and anything else that makes a known
     * person ask here, so a person is typed the same whichever way they arrive.
     */
    public String profileType() {
        return typeOr("profile");
    }

    /**
     * The subject type of an anonymous visitor made by ingest: {@code visitor} when the policy
     * declares it, else its first type.
     */
    public String anonymousType() {
        return typeOr("visitor");
    }

    /**
     * The subject type of a person a message is about when it names none: {@code end_user} when
     * the policy declares it, else its first type.
     */
    public String messagingType() {
        return typeOr("end_user");
    }

    /** The policy's own type of that name; a policy always declares at least one type. */
    private String typeOr(String preferred) {
        return subjects.containsKey(preferred)
                ? preferred
                : subjects.keySet().iterator().next();
    }

    /** The category a field's values belong to: mapped in fields, or a custom field's trait. */
    public Optional<String> categoryOfField(String field) {
        String mapped = fields.get(field);
        if (mapped != null) return Optional.of(mapped);
        if (field.startsWith("traits.")) {
            var custom = customFields.get(field.substring("traits.".length()));
            if (custom != null) return Optional.of(custom.category());
        }
        return Optional.empty();
    }

    /** A copy of this policy with these custom fields added (or, for a key it has, replaced). */
    public Policy withCustomFields(Map<String, CustomField> more) {
        var all = new LinkedHashMap<>(customFields);
        all.putAll(more);
        return withOnly(all);
    }

    /** A copy of this policy without the custom field {@code key}. */
    public Policy withoutCustomField(String key) {
        var all = new LinkedHashMap<>(customFields);
        all.remove(key);
        return withOnly(all);
    }

    private Policy withOnly(Map<String, CustomField> custom) {
        return new Policy(
                formatVersion,
                controller,
                consentAge,
                subjects,
                categories,
                fields,
                custom,
                records,
                processors,
                cookies,
                ingest);
    }

    /**
     * What an ingest key — public by design, it ships in web pages — may do (DESIGN promise 6):
     * what it may change on a person the account already knows.
     */
    public record Ingest(KnownPerson knownPerson, AfterErasure afterErasure) {

        /**
         * Safe by default: an ingest key adds to a known person, never replaces; what names an
         * erased person is dropped.
         */
        public static final Ingest DEFAULT = new Ingest(KnownPerson.ADD_ONLY, AfterErasure.DROP);

        public Ingest {
            if (knownPerson == null) knownPerson = KnownPerson.ADD_ONLY;
            if (afterErasure == null) afterErasure = AfterErasure.DROP;
        }
    }

    /** Who is responsible for the data, and where people exercise their rights. */
    public record Controller(String name, String contact, String address, String region) {}

    /** The digital age of consent, by ISO country code, with a default (GDPR Art. 8: 13 to 16). */
    public record ConsentAge(int defaultAge, Map<String, Integer> byCountry) {

        public static final ConsentAge GDPR_DEFAULT = new ConsentAge(16, Map.of());

        public ConsentAge {
            byCountry = Collections2.orderedCopy(byCountry);
        }

        public int forCountry(String country) {
            return country == null ? defaultAge : byCountry.getOrDefault(country, defaultAge);
        }
    }

    /** A kind of person the account holds data on. */
    public record SubjectType(String name, String description) {}
}
