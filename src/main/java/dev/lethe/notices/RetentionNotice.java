package dev.lethe.notices;

import dev.lethe.notices.Notice.Cell;
import dev.lethe.notices.Notice.Column;
import dev.lethe.notices.Notice.Row;
import dev.lethe.notices.Notice.Section;
import dev.lethe.registry.Action;
import dev.lethe.registry.Category;
import dev.lethe.registry.Durations;
import dev.lethe.registry.Policy;
import dev.lethe.registry.RecordRule;
import dev.lethe.registry.RetentionRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;

/**
 * The retention notice: how long each kind of stored record and each category of personal data
 * is kept, from when, and what happens to it then. One row per record rule, in the policy's order,
 * and one per enabled category — split by subject type where a per-subject override changes the
 * rule.
 */
final class RetentionNotice {

    private static final List<Column> COLUMNS = List.of(
            new Column("data", "Data"),
            new Column("scope", "Applies to"),
            new Column("trigger", "Counted from"),
            new Column("period", "Kept for"),
            new Column("action", "Then"));

    Notice build(Policy policy, Preamble preamble) {
        var records = new Section(
                "records",
                "Stored records",
                List.of("Each stored record is kept under the first rule below that fits it."),
                COLUMNS,
                policy.records().values().stream()
                        .map(RetentionNotice::recordRow)
                        .toList());
        var categories = new Section(
                "categories",
                "Personal data",
                List.of(
                        "Each personal value is kept for its own period and removed when that period has run, even from a record that is kept longer."),
                COLUMNS,
                policy.categories().values().stream()
                        .filter(Category::enabled)
                        .flatMap(RetentionNotice::categoryRows)
                        .toList());
        return preamble.notice(
                NoticeKind.RETENTION,
                "Retention periods",
                List.of("How long " + preamble.controllerName()
                        + " keeps personal data, and what happens to it when that time has run."),
                List.of(records, categories),
                footnotes(policy));
    }

    private static Row recordRow(RecordRule record) {
        return row(
                record.name(),
                record.title(),
                new Cell.Items(NoticeWords.scope(record.match()), "All"),
                record.retention());
    }

    /** One row per distinct rule among the category's subject types, in the order they are listed. */
    private static Stream<Row> categoryRows(Category category) {
        var subjectsByRule = new LinkedHashMap<RetentionRule, List<String>>();
        for (String subject : category.subjects()) {
            subjectsByRule
                    .computeIfAbsent(category.forSubject(subject).retention(), r -> new ArrayList<>())
                    .add(subject);
        }
        boolean split = subjectsByRule.size() > 1;
        return subjectsByRule.entrySet().stream().map(e -> {
            String id = split ? category.name() + "." + String.join("+", e.getValue()) : category.name();
            var scope = new Cell.Items(
                    e.getValue().stream().map(NoticeWords::subjects).toList(), "All");
            return row(id, category.title(), scope, e.getKey());
        });
    }

    private static Row row(String id, String data, Cell scope, RetentionRule rule) {
        return new Row(
                id,
                List.of(
                        Cell.text(data),
                        scope,
                        Cell.text(NoticeWords.triggers(rule.after())),
                        Cell.text(Durations.words(rule.period())),
                        Cell.text(NoticeWords.capitalised(rule.then().words()))));
    }

    private static List<String> footnotes(Policy policy) {
        var rules = Stream.concat(
                        policy.records().values().stream().map(RecordRule::retention),
                        policy.categories().values().stream()
                                .filter(Category::enabled)
                                .flatMap(c -> c.subjects().stream()
                                        .map(s -> c.forSubject(s).retention())))
                .toList();
        var notes = new ArrayList<String>();
        if (rules.stream().anyMatch(r -> r.after().size() > 1)) {
            notes.add(NoticeWords.WHICHEVER_FIRST);
        }
        if (rules.stream().anyMatch(r -> r.then() == Action.ANONYMISE)) {
            notes.add("Anonymised: only aggregates that identify no one are kept.");
        }
        if (rules.stream().anyMatch(r -> r.then() == Action.SUMMARISE)) {
            notes.add(
                    "Replaced by its summary: a complete session is replaced by a summary of it, which is then kept under its own rule.");
        }
        notes.add(
                "Data under a legal hold (for example for an unpaid invoice, a dispute or litigation) is kept until the hold ends, and only for its reason.");
        return notes;
    }
}
