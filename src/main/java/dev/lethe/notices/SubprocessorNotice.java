package dev.lethe.notices;

import dev.lethe.notices.Notice.Cell;
import dev.lethe.notices.Notice.Column;
import dev.lethe.notices.Notice.Group;
import dev.lethe.notices.Notice.Row;
import dev.lethe.notices.Notice.Section;
import dev.lethe.registry.Category;
import dev.lethe.registry.Policy;
import dev.lethe.registry.Processor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sub-processor list: who receives personal data, where it goes, why, under which safeguards
 * and security measures, which categories for each subject type, and whether the controller may
 * refuse it.
 */
final class SubprocessorNotice {

    private static final List<Column> COLUMNS = List.of(
            new Column("company", "Company"),
            new Column("address", "Address"),
            new Column("purpose", "Purpose"),
            new Column("location", "Data location"),
            new Column("safeguards", "Safeguards"),
            new Column("measures", "Security measures"),
            new Column("data", "Personal data received"),
            new Column("required", "Required or optional"));

    private static final List<Column> UPCOMING_COLUMNS = upcomingColumns();

    Notice build(Policy policy, Preamble preamble) {
        var rows = policy.processors().stream()
                .filter(p -> p.activeAt(preamble.asOf()))
                .map(p -> row(policy, p))
                .toList();
        var upcoming = policy.processors().stream()
                .filter(p -> !p.activeAt(preamble.asOf()))
                .map(p -> upcomingRow(policy, p))
                .toList();
        var section = new Section("processors", "Sub-processors", List.of(), COLUMNS, rows);
        var sections = new ArrayList<Section>();
        sections.add(section);
        if (!upcoming.isEmpty()) {
            sections.add(new Section(
                    "upcoming",
                    "Upcoming sub-processors",
                    List.of("These will receive personal data from the date shown; until then they receive none."),
                    UPCOMING_COLUMNS,
                    upcoming));
        }
        var notes = new ArrayList<String>();
        if (!rows.isEmpty() || !upcoming.isEmpty()) {
            notes.add(
                    "Required sub-processors are needed to provide the service. Optional ones receive data only if the controller chooses to use them; the controller may refuse them.");
            notes.add(
                    "Security measures are the sub-processor's technical and organisational measures (GDPR Art. 28 and 32).");
        }
        return preamble.notice(
                NoticeKind.SUBPROCESSORS,
                "Sub-processors",
                List.of("The companies that process personal data on behalf of " + preamble.controllerName()
                        + ": who they are, where the data goes, why, and under which safeguards."),
                sections,
                notes);
    }

    private static List<Column> upcomingColumns() {
        var out = new ArrayList<>(COLUMNS);
        out.add(new Column("effectiveFrom", "Takes effect"));
        return List.copyOf(out);
    }

    private static Row upcomingRow(Policy policy, Processor processor) {
        var row = row(policy, processor);
        var cells = new ArrayList<>(row.cells());
        cells.add(Cell.text(processor.effectiveFrom()));
        return new Row(row.id(), cells);
    }

    private static Row row(Policy policy, Processor processor) {
        return new Row(
                processor.name(),
                List.of(
                        Cell.text(processor.name()),
                        Cell.text(processor.address()),
                        Cell.text(NoticeWords.capitalised(processor.purpose())),
                        Cell.text(NoticeWords.location(processor.location())),
                        new Cell.Items(
                                processor.safeguards().stream()
                                        .map(NoticeWords::safeguard)
                                        .toList(),
                                "Not needed (within the EEA)"),
                        Cell.text(processor.measures()),
                        new Cell.Groups(groups(policy, processor), "None"),
                        new Cell.Flag(processor.required(), "Required", "Optional")));
    }

    /** Category titles per subject type, leaving out categories the controller switched off. */
    private static List<Group> groups(Policy policy, Processor processor) {
        var groups = new ArrayList<Group>();
        processor.categories().forEach((subject, names) -> {
            var titles = names.stream()
                    .map(policy::category)
                    .flatMap(Optional::stream)
                    .filter(Category::enabled)
                    .map(Category::title)
                    .toList();
            if (!titles.isEmpty()) groups.add(new Group(subject, NoticeWords.subjects(subject), titles));
        });
        return groups;
    }
}
