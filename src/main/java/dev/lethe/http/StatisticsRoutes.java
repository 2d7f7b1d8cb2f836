package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import dev.lethe.accounts.Scope;
import dev.lethe.activity.DailyCount;
import dev.lethe.activity.TrackService;
import java.time.LocalDate;
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
                .query("to", "last day, YYYY-MM-DD (default today, UTC); at most 366 days after from")
                .answers(Statistics.class)
                .parse((q, caller) -> {
                    var from = q.day("from");
                    var to = q.day("to");
                    // a range is checked only between days that were read
                    return q.errors().stream()
                                    .anyMatch(e ->
                                            e.path().equals("from") || e.path().equals("to"))
                            ? null
                            : q.collect(() -> track.statisticsRange(from, to));
                })
                .handle((ctx, caller, range) ->
                        ctx.json(new Statistics(range.from(), range.to(), track.statistics(caller, range))));
    }

    /** The days counted, first and last included, and their counts. */
    record Statistics(LocalDate from, LocalDate to, List<DailyCount> counts) {}
}
