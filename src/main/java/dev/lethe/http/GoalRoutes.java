package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lethe.accounts.Scope;
import dev.lethe.goals.Goal;
import dev.lethe.goals.GoalService;
import dev.lethe.input.JsonFields;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Goal definitions over HTTP. */
final class GoalRoutes {

    private final GoalService goals;

    GoalRoutes(GoalService goals) {
        this.goals = goals;
    }

    void register(Api api) {
        api.route(POST, "/v1/goals")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Define a goal: {name, eventType, match?: {property: value}}; stored events that already achieved it count (achievedBefore)")
                .body(NewGoal.class)
                .returns(201)
                .answers(DefinedGoal.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(NewGoal.class));
                    String name = in.requiredText(body, "", "name");
                    String eventType = in.requiredText(body, "", "eventType");
                    var match = new LinkedHashMap<String, String>();
                    var m = body.get("match");
                    if (m != null && !m.isNull()) {
                        if (!m.isObject()) in.error("match", "must be an object of property names to values");
                        else
                            for (var e : m.properties()) {
                                String at = JsonFields.at("match", e.getKey());
                                if (e.getValue().isNull()) in.error(at, JsonFields.SCALAR_EXPECTED);
                                else in.scalar(e.getValue(), at).ifPresent(v -> match.put(e.getKey(), v.value()));
                            }
                    }
                    in.requireValid();
                    var defined = goals.define(caller, name, eventType, match);
                    var goal = defined.goal();
                    ctx.status(201)
                            .json(new DefinedGoal(
                                    goal.goalId(),
                                    goal.name(),
                                    goal.eventType(),
                                    goal.match(),
                                    defined.achievedBefore()));
                });
        api.route(GET, "/v1/goals")
                .access(Access.needs(Scope.READ))
                .summary("The account's goals")
                .answers(Goals.class)
                .handle((ctx, caller) -> ctx.json(new Goals(goals.list(caller.accountId()))));
        api.route(DELETE, "/v1/goals/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary("Delete a goal")
                .returns(204)
                .handle((ctx, caller) -> {
                    goals.delete(caller, Json.idPath(ctx, "id", "No such goal."));
                    ctx.status(204);
                });
    }

    /** {@code POST /v1/goals}: a goal is an event of a type whose properties hold these values. */
    record NewGoal(
            @JsonProperty(required = true) String name,
            @JsonProperty(required = true) String eventType,
            Map<String, String> match) {}

    /** A goal as defined, with how many stored events had already achieved it. */
    record DefinedGoal(String goalId, String name, String eventType, Map<String, String> match, long achievedBefore) {}

    record Goals(List<Goal> goals) {}
}
