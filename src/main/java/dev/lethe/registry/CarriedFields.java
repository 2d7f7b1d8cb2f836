package dev.lethe.registry;

import dev.lethe.errors.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The custom fields a new policy document carries over from the version before it. Custom fields
 * come and go by their own routes ({@code POST} and {@code DELETE /v1/fields}), so a document
 * that does not mention one keeps it; a document that declares it (under {@code customFields}) or
 * maps its trait itself (under {@code fields}) decides instead, and a field it maps is replaced.
 *
 * @param kept the fields kept, by key
 * @param replaced the keys of fields whose trait the document maps itself
 */
record CarriedFields(Map<String, CustomField> kept, List<String> replaced) {

    static CarriedFields between(Optional<Policy> previous, Policy document) {
        var kept = new LinkedHashMap<String, CustomField>();
        var replaced = new ArrayList<String>();
        previous.ifPresent(p -> p.customFields().forEach((key, field) -> {
            if (document.customFields().containsKey(key)) return;
            if (document.fields().containsKey(field.field())) replaced.add(key);
            else kept.put(key, field);
        }));
        return new CarriedFields(kept, List.copyOf(replaced));
    }

    /**
     * The errors of the document with the kept fields, each about a kept field saying where that
     * field came from and what to do: a field the document never mentions is otherwise a puzzle.
     */
    List<FieldError> explained(List<FieldError> errors) {
        return errors.stream()
                .map(e -> kept.keySet().stream()
                        .filter(key -> e.path().equals("customFields." + key)
                                || e.path().startsWith("customFields." + key + "."))
                        .findFirst()
                        .map(key -> new FieldError(
                                e.path(),
                                e.message() + " (custom field '" + key
                                        + "' is kept from the version in force, since this document does not"
                                        + " mention it: declare it here, or remove it first with DELETE /v1/fields/"
                                        + key + ")"))
                        .orElse(e))
                .toList();
    }
}
