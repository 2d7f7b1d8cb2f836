package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.jobs.Job;
import dev.lethe.jobs.JobErrorPage;
import dev.lethe.jobs.JobKind;
import dev.lethe.jobs.JobPage;
import dev.lethe.jobs.JobService;
import dev.lethe.jobs.JobState;

/** Governed jobs over HTTP: the list, one job's progress, its errors, and a cancel. */
final class JobRoutes {

    private final JobService jobs;

    JobRoutes(JobService jobs) {
        this.jobs = jobs;
    }

    private record ListQuery(JobKind kind, JobState state, int limit, String cursor) {}

    private record ErrorsQuery(int limit, String cursor) {}

    void register(Api api) {
        api.route(GET, "/v1/jobs")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "The account's imports, exports and bulk deletions, newest first: per job its kind, state, rows done of total, errors, times and summary; never a personal value; paged by cursor")
                .query("kind", "import, export or bulk-deletion (default all)")
                .query(
                        "state",
                        "previewing, staged, queued, running, completed, failed, cancelled or expired (default all)")
                .query("limit", "jobs per page, 1.." + JobService.MAX_LIMIT + ", default 100")
                .query(
                        "cursor",
                        "the nextCursor of the previous page, with the same kind and state; the answer's nextCursor is null on the last page")
                .answers(JobPage.class)
                .parse((q, caller) -> {
                    String kind = q.oneOf("kind", JobKind.WIRE_NAMES);
                    String state = q.oneOf("state", JobState.WIRE_NAMES);
                    return new ListQuery(
                            kind == null ? null : JobKind.fromWire(kind),
                            state == null ? null : JobState.fromWire(state),
                            q.integer("limit", 100, 1, JobService.MAX_LIMIT),
                            q.cursor());
                })
                .handle((ctx, caller, query) ->
                        ctx.json(jobs.list(caller, query.kind(), query.state(), query.limit(), query.cursor())));
        api.route(GET, "/v1/jobs/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "A job's progress: state, rows done of total, errors, started and finished, and its summary once a phase ended")
                .answers(Job.class)
                .handle((ctx, caller) -> ctx.json(jobs.get(caller, Json.idPath(ctx, "id", "No such job."))));
        api.route(GET, "/v1/jobs/{id}/errors")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "A job's errors in the order met: the row (1 = the first data row), the column and why; never the value")
                .query("limit", "errors per page, 1..1000, default 100")
                .query("cursor", "the nextCursor of the previous page; null on the last page")
                .answers(JobErrorPage.class)
                .parse((q, caller) -> new ErrorsQuery(q.integer("limit", 100, 1, 1000), q.cursor()))
                .handle((ctx, caller, query) -> ctx.json(
                        jobs.errors(caller, Json.idPath(ctx, "id", "No such job."), query.limit(), query.cursor())));
        api.route(POST, "/v1/jobs/{id}/cancel")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Cancel a job: one not yet running ends cancelled at once and its files are deleted; a running one stops at its next step (each step is whole: what it finished stays done) and shows cancelRequested until then; 409 once it has ended; audited")
                .body(RequestRoutes.NoBody.class)
                .answers(Job.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", "No such job.");
                    Json.noBody(ctx);
                    ctx.json(jobs.cancel(caller, id));
                });
    }
}
