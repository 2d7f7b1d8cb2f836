package dev.lethe.registry;

/**
 * Where an incoming value belongs under a policy (promise 1: nothing is stored without a declared
 * category). A field the policy does not map is rejected, never stored silently; a field mapped
 * to a switched-off optional category is dropped and counted.
 */
public sealed interface Classification {

    /** The value is kept under this category. */
    record Kept(Category category) implements Classification {}

    /** The category is optional and switched off: the value is dropped. */
    record Dropped(String category) implements Classification {}

    /** No category: the value is refused, and the reason says how to fix it. */
    record Rejected(String reason) implements Classification {}

    static Classification of(Policy policy, String field) {
        String name = policy.categoryOfField(field).orElse(null);
        if (name == null) {
            return new Rejected("no category for this field: map it in the policy's fields (e.g. '" + field
                    + ": <category>'), add a custom field, or leave it out");
        }
        Category category = policy.categories().get(name);
        if (!category.enabled()) return new Dropped(name);
        return new Kept(category);
    }

    /**
     * Where a value about a person of this subject type belongs: as {@link #of(Policy, String)},
     * with the category as it applies to that type (its override: another period, another basis),
     * and refused when the category is not declared for that type, since the notices would not
     * tell such a person it is held.
     */
    static Classification of(Policy policy, String field, String subjectType) {
        var c = of(policy, field);
        if (c instanceof Kept k) {
            var category = k.category();
            if (!category.subjects().isEmpty() && !category.subjects().contains(subjectType)) {
                return new Rejected("category '" + category.name() + "' is not held about subject type '" + subjectType
                        + "' (the policy declares it for " + String.join(", ", category.subjects()) + ")");
            }
            return new Kept(category.forSubject(subjectType));
        }
        return c;
    }

    /**
     * Where an identifier's value belongs ({@code identifiers.email}): as {@link #of(Policy,
     * String, String)}, falling back to the trait of the same name ({@code traits.email}) when the
     * policy does not map the identifier by itself.
     */
    static Classification ofIdentifier(Policy policy, String field, String subjectType) {
        var c = of(policy, field, subjectType);
        if (c instanceof Rejected && field.startsWith("identifiers.")) {
            var trait = of(policy, "traits." + field.substring("identifiers.".length()), subjectType);
            if (!(trait instanceof Rejected)) return trait;
        }
        return c;
    }
}
