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
}
