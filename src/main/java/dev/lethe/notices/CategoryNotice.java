package dev.lethe.notices;

import dev.lethe.notices.Notice.Cell;
import dev.lethe.notices.Notice.Column;
import dev.lethe.notices.Notice.Row;
import dev.lethe.notices.Notice.Section;
import dev.lethe.registry.Category;
import dev.lethe.registry.LawfulBasis;
import dev.lethe.registry.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * The table of data categories: for each subject type, the personal data held about them, why, on
 * which lawful basis, where it comes from and for how long, with per-subject overrides folded in.
 * Categories switched off ({@code enabled: false}) are not held, so they are not listed.
 */
final class CategoryNotice {

    private static final List<Column> COLUMNS = List.of(
            new Column("data", "Data"),
            new Column("purpose", "Purpose"),
            new Column("description", "Description"),
            new Column("lawfulBasis", "Lawful basis"),
            new Column("source", "Source"),
            new Column("retention", "Retention"),
            new Column("required", "Required or optional"));

    Notice build(Policy policy, Preamble preamble) {
        var sections = policy.subjects().values().stream()
                .map(subject -> {
                    var rows = policy.categories().values().stream()
                            .filter(c -> c.enabled() && c.subjects().contains(subject.name()))
                            .map(c -> row(c.forSubject(subject.name())))
                            .toList();
                    var intro = subject.description() == null ? List.<String>of() : List.of(subject.description());
                    return new Section(subject.name(), NoticeWords.subjects(subject.name()), intro, COLUMNS, rows);
                })
                .toList();
        return preamble.notice(
                NoticeKind.CATEGORIES,
                "Categories of personal data",
                List.of("The personal data " + preamble.controllerName()
                        + " holds, about whom, why, on which lawful basis, where it comes from and for how long."),
                sections,
                footnotes(policy));
    }

    private static Row row(Category category) {
        String data = category.required() ? category.title() : category.title() + " (optional)";
        return new Row(
                category.name(),
                List.of(
                        Cell.text(data),
                        Cell.text(NoticeWords.term(category.purpose())),
                        Cell.text(category.description()),
                        Cell.text(category.lawfulBasis().words()),
                        Cell.text(category.source().words()),
                        Cell.text(NoticeWords.capitalised(NoticeWords.retention(category.retention()))),
                        new Cell.Flag(category.required(), "Required", "Optional")));
    }

    private static List<String> footnotes(Policy policy) {
        var held = policy.categories().values().stream()
                .filter(Category::enabled)
                .flatMap(c -> c.subjects().stream().map(c::forSubject))
                .toList();
        var notes = new ArrayList<String>();
        if (held.stream().anyMatch(c -> !c.required())) {
            notes.add(
                    "Optional data is not needed to provide the service: the controller may switch it off, and data switched off is neither collected nor listed here.");
        }
        if (held.stream().anyMatch(c -> c.lawfulBasis() == LawfulBasis.CONSENT)) {
            notes.add(
                    "Data held on the basis of consent is stored and shared only while consent for its purpose is given; withdrawing consent stops it and schedules its deletion.");
        }
        if (held.stream().anyMatch(c -> c.retention().after().size() > 1)) {
            notes.add(NoticeWords.WHICHEVER_FIRST);
        }
        return notes;
    }
}
