package dev.lethe.notices;

import dev.lethe.notices.Notice.Cell;
import dev.lethe.notices.Notice.Column;
import dev.lethe.notices.Notice.Row;
import dev.lethe.notices.Notice.Section;
import dev.lethe.registry.Cookie;
import dev.lethe.registry.CookieCategory;
import dev.lethe.registry.Durations;
import dev.lethe.registry.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The cookie notice: the cookies placed, grouped by the consent purpose they serve. */
final class CookieNotice {

    private static final List<Column> COLUMNS = List.of(
            new Column("name", "Name"),
            new Column("provider", "Provider"),
            new Column("purpose", "Purpose"),
            new Column("duration", "Duration"));

    Notice build(Policy policy, Preamble preamble) {
        var sections = Arrays.stream(CookieCategory.values())
                .map(category -> section(
                        category,
                        policy.cookies().stream()
                                .filter(c -> c.category() == category)
                                .toList()))
                .filter(s -> !s.rows().isEmpty())
                .toList();
        var lead = new ArrayList<String>();
        lead.add("The cookies and similar technologies " + preamble.controllerName()
                + " places, grouped by what they are for.");
        if (sections.isEmpty()) lead.add(preamble.controllerName() + " places no cookies.");
        var notes = new ArrayList<String>();
        if (policy.cookies().stream().anyMatch(Cookie::isSessionCookie)) {
            notes.add("A session cookie is removed when the browser is closed.");
        }
        return preamble.notice(NoticeKind.COOKIES, "Cookies", lead, sections, notes);
    }

    private static Section section(CookieCategory category, List<Cookie> cookies) {
        var rows = cookies.stream()
                .map(c -> new Row(
                        c.name(),
                        List.of(
                                Cell.text(c.name()),
                                Cell.text(c.provider()),
                                Cell.text(NoticeWords.capitalised(c.purpose())),
                                Cell.text(c.isSessionCookie() ? "Session" : Durations.words(c.duration())))))
                .toList();
        return new Section(category.wireName(), category.words(), List.of(meaning(category)), COLUMNS, rows);
    }

    private static String meaning(CookieCategory category) {
        return switch (category) {
            case REQUIRED -> "Needed for the site to work and to keep it secure.";
            case FUNCTIONALITY -> "Remember choices such as language, and make features such as live chat work.";
            case PERFORMANCE -> "Measure how the site is used, so that it can be improved.";
            case TARGETING -> "Show advertising that is relevant to you and measure how well it works.";
        };
    }
}
