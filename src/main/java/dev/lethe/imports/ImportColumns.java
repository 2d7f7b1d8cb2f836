package dev.lethe.imports;

import dev.lethe.registry.CustomField;
import dev.lethe.registry.Policy;
import dev.lethe.subjects.IdentifierKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The columns an import file may have under a policy (docs/import.md): the identifiers {@code
 * email}, {@code phone}, {@code externalId}; {@code subjectType}; each trait the policy maps, as
 * {@code traits.<name>}; each custom field, as {@code fields.<key>}.
 */
final class ImportColumns {

    /** One column: what its cells are. */
    sealed interface Column {
        String name();
    }

    record Identifier(String name, IdentifierKind kind) implements Column {}

    record SubjectType(String name) implements Column {}

    /** A trait ({@code traits.<name>}) or a custom field ({@code fields.<key>}, custom non-null). */
    record Trait(String name, String trait, CustomField custom) implements Column {
        /** The field path its values are stored under. */
        String field() {
            return "traits." + trait;
        }
    }

    static final List<IdentifierKind> IDENTIFIERS =
            List.of(IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.EXTERNAL_ID);

    private ImportColumns() {}

    /** The template's columns, in order, with what each is (for the README and the template). */
    static List<String> template(Policy policy) {
        var out = new ArrayList<String>();
        IDENTIFIERS.forEach(k -> out.add(k.wireName()));
        out.add("subjectType");
        for (String field : policy.fields().keySet()) {
            if (!field.startsWith("traits.")) continue;
            String name = field.substring("traits.".length());
            if (policy.customFields().containsKey(name) || isIdentifierName(name)) continue;
            out.add(field);
        }
        policy.customFields().keySet().forEach(key -> out.add("fields." + key));
        return out;
    }

    private static boolean isIdentifierName(String name) {
        return IDENTIFIERS.stream().anyMatch(k -> k.wireName().equals(name));
    }

    /** What a header's column is under the policy; empty when the policy has no such column. */
    static Optional<Column> of(Policy policy, String name) {
        for (var kind : IDENTIFIERS) if (kind.wireName().equals(name)) return Optional.of(new Identifier(name, kind));
        if (name.equals("subjectType")) return Optional.of(new SubjectType(name));
        if (name.startsWith("fields.")) {
            String key = name.substring("fields.".length());
            var custom = policy.customFields().get(key);
            return custom == null ? Optional.empty() : Optional.of(new Trait(name, key, custom));
        }
        if (name.startsWith("traits.") && name.length() > "traits.".length()) {
            String trait = name.substring("traits.".length());
            var custom = policy.customFields().get(trait);
            if (custom != null) return Optional.of(new Trait(name, trait, custom));
            if (policy.categoryOfField(name).isPresent()) return Optional.of(new Trait(name, trait, null));
        }
        return Optional.empty();
    }

    /** The header read: its columns by position, and its problems (unknown or repeated columns). */
    record Header(List<Column> columns, List<ImportRow.CellError> problems) {}

    static Header read(Policy policy, List<String> names) {
        var columns = new ArrayList<Column>();
        var problems = new ArrayList<ImportRow.CellError>();
        var seen = new HashSet<String>();
        var fields = new LinkedHashMap<String, String>();
        for (String raw : names) {
            String name = raw.length() > 100 ? raw.substring(0, 100) + "…" : raw;
            if (name.isEmpty()) {
                problems.add(new ImportRow.CellError("", "a column has no name"));
                columns.add(null);
                continue;
            }
            if (!seen.add(name)) problems.add(new ImportRow.CellError(name, "the column is given twice"));
            var column = of(policy, name);
            if (column.isEmpty())
                problems.add(
                        new ImportRow.CellError(
                                name,
                                "unknown column: use email, phone, externalId, subjectType, traits.<name> for a trait"
                                        + " the policy maps, or fields.<key> for a custom field (GET /v1/imports/template.csv)"));
            column.filter(c -> c instanceof Trait).map(c -> ((Trait) c).field()).ifPresent(f -> {
                if (fields.put(f, name) != null)
                    problems.add(new ImportRow.CellError(name, "the same field is given by another column"));
            });
            columns.add(column.orElse(null));
        }
        if (columns.stream().noneMatch(c -> c instanceof Identifier))
            problems.add(
                    new ImportRow.CellError("", "the header names no identifier column (email, phone or externalId)"));
        return new Header(columns, problems);
    }

    /** The columns by name (for the template document). */
    static Map<String, String> describe(Policy policy) {
        var out = new LinkedHashMap<String, String>();
        for (String name : template(policy)) {
            var column = of(policy, name).orElseThrow();
            out.put(
                    name,
                    switch (column) {
                        case Identifier i -> "identifier";
                        case SubjectType s -> "subject type";
                        case Trait t -> t.custom() != null ? t.custom().displayName() : "trait";
                    });
        }
        return out;
    }
}
