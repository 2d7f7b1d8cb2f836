package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import dev.lethe.accounts.Scope;
import dev.lethe.activity.DailyCount;
import dev.lethe.activity.TrackService;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Anonymous statistics over HTTP. */
final class StatisticsRoutes {

    private final TrackService track;

    StatisticsRoutes(TrackService track) {
        this.track = track;
    }

    void register(Api api) {
        api.route(GET, "/v1/statistics")
                .access(Access.needs(Scope.READ))
                .summary(
                        "Anonymous daily counts: events by type, sessions by source host and by campaign (they survive erasure and retention)")
                .query("from", "first day, YYYY-MM-DD (default 30 days before to)")
                .query("to", "last day, YYYY-MM-DD (default today, UTC)")
                .answers(Statistics.class)
                .handle((ctx, caller) -> {
                    var range = track.statisticsRange(day(ctx, "from"), day(ctx, "to"));
                    ctx.json(new Statistics(range.from(), range.to(), track.statistics(caller, range)));
                });
    }

    private static LocalDate day(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) return null;
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw new BadRequestException(
                    "Bad query parameter.", List.of(new FieldError(name, "must be a day such as 2026-01-31")));
        }
    }

    /** The days counted, first and last included, and their counts. */
    record Statistics(LocalDate from, LocalDate to, List<DailyCount> counts) {}
}
