package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.input.JsonFields;
import dev.lethe.retention.SweepReport;
import dev.lethe.retention.Sweeps;
import java.time.Instant;
import java.util.List;

/** Retention sweeps over HTTP: run one now, preview one for any date or policy, read the reports. */
final class SweepRoutes {

    private final Sweeps sweeps;

    SweepRoutes(Sweeps sweeps) {
        this.sweeps = sweeps;
    }

    void register(Api api) {
        api.route(POST, "/v1/sweeps")
                .access(Access.needs(Scope.ADMIN, Scope.OPERATOR))
                .summary(
                        "Run a retention sweep of the account now, or preview one {dryRun: true, asOf?, policy?} for any date under the policy in force or a proposed one (YAML or JSON text): per rule what is (or would be) deleted, anonymised, summarised or held")
                .body(SweepBody.class)
                .answers(SweepReport.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = ctx.body().isBlank()
                            ? null
                            : in.object(Json.object(ctx), "", JsonFields.keys(SweepBody.class));
                    Boolean dryRun = body == null ? null : in.optionalBoolean(body, "", "dryRun");
                    Instant asOf = body == null ? null : in.optionalInstant(body, "", "asOf");
                    String policy = body == null ? null : in.optionalText(body, "", "policy");
                    String account = body == null ? null : in.optionalText(body, "", "account");
                    in.requireValid();
                    ctx.json(sweeps.run(caller, new Sweeps.Order(Boolean.TRUE.equals(dryRun), asOf, policy, account)));
                });
        api.route(GET, "/v1/sweeps")
                .access(Access.needs(Scope.READ))
                .summary("The account's recent sweeps, newest first, each with what every rule did")
                .query("limit", "sweeps to list, 1.." + Sweeps.MAX_PAGE + ", default 20")
                .answers(SweepList.class)
                .parse((q, caller) -> q.integer("limit", 20, 1, Sweeps.MAX_PAGE))
                .handle((ctx, caller, limit) -> ctx.json(new SweepList(sweeps.list(caller, limit))));
        api.route(GET, "/v1/sweeps/{id}")
                .access(Access.needs(Scope.READ))
                .summary(
                        "One sweep: its status, and per rule the action, rows affected, rows held (by which hold) and time taken")
                .answers(SweepReport.class)
                .handle((ctx, caller) -> ctx.json(sweeps.get(caller, Json.idPath(ctx, "id", "No such sweep."))));
    }

    /**
     * {@code POST /v1/sweeps}; an empty body runs a live sweep now.
     *
     * @param dryRun true for a preview that changes nothing
     * @param asOf the instant a preview judges the data at (default now)
     * @param policy a proposed policy (YAML or JSON text) a preview applies instead of the one in force
     * @param account the account to sweep, for an operator key
     */
    record SweepBody(Boolean dryRun, Instant asOf, String policy, String account) {}

    record SweepList(List<SweepReport> sweeps) {}
}
