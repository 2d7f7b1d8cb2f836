package dev.lethe.http;

import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;

/**
 * What the OpenAPI document says about one route. {@code requestBody} and {@code responseBody} are
 * the records the route reads and writes as JSON (null where it reads or writes none, or
 * something other than JSON); the document's schemas are generated from them. {@code
 * otherAnswers} are further success statuses with their records (identify: 200 for a known
 * person, 201 for a new one, 202 for an ingest key); {@code problems} are the problem statuses
 * particular to the route, with what each means (identify: 409 for a restricted person). Routes are registered only through {@link Api},
 * which records one of these for each, so no route can go undocumented.
 */
public record RouteDoc(
        HandlerType method,
        String path,
        Access access,
        String summary,
        List<String> requestTypes,
        int successStatus,
        List<String> responseTypes,
        List<Param> query,
        Class<?> requestBody,
        Class<?> responseBody,
        Map<Integer, Class<?>> otherAnswers,
        Map<Integer, String> problems) {

    /** A route with no problem status of its own. */
    public RouteDoc(
            HandlerType method,
            String path,
            Access access,
            String summary,
            List<String> requestTypes,
            int successStatus,
            List<String> responseTypes,
            List<Param> query,
            Class<?> requestBody,
            Class<?> responseBody,
            Map<Integer, Class<?>> otherAnswers) {
        this(
                method,
                path,
                access,
                summary,
                requestTypes,
                successStatus,
                responseTypes,
                query,
                requestBody,
                responseBody,
                otherAnswers,
                Map.of());
    }

    /**
     * A query parameter the route takes. A name may hold a {@code {key}} placeholder
     * ({@code field.{key}}); a repeatable parameter may be given more than once.
     */
    public record Param(String name, String description, boolean repeatable) {}
}
