package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import dev.lethe.accounts.Scope;
import dev.lethe.activity.TrackService;
import java.util.Map;

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
                .handle((ctx, caller, range) -> ctx.json(Map.of(
                        "from", range.from().toString(),
                        "to", range.to().toString(),
                        "counts", track.statistics(caller, range))));
    }
}
