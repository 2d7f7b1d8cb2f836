package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.storage.Database;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/** Health, metrics and the API description. */
final class SystemRoutes {

    private final Database database;
    private final PrometheusMeterRegistry metrics;
    private final Supplier<JsonNode> openApi;

    SystemRoutes(Database database, PrometheusMeterRegistry metrics, Supplier<JsonNode> openApi) {
        this.database = database;
        this.metrics = metrics;
        this.openApi = openApi;
    }

    /**
     * Whether this server and its database answer.
     *
     * @param status {@code up} or {@code down}
     * @param database {@code up} or {@code down}
     */
    record Health(String status, String database) {}

    void register(Api api) {
        api.route(GET, "/health")
                .summary("Liveness and database reachability: 200 when up, 503 when the database does not answer")
                .answers(Health.class)
                .handle((ctx, caller) -> {
                    boolean up = database.isUp();
                    String word = up ? "up" : "down";
                    ctx.status(up ? 200 : 503).json(new Health(word, word));
                });
        api.route(GET, "/metrics")
                .summary("Prometheus metrics")
                .returns(200, "text/plain")
                .handle((ctx, caller) -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape()));
        api.route(GET, "/openapi.json")
                .summary("This API's OpenAPI 3.1 description, generated from the registered routes")
                .answers(JsonNode.class)
                .handle((ctx, caller) -> ctx.json(openApi.get()));
    }
}
