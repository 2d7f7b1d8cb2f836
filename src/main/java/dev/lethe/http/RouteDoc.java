package dev.lethe.http;

import io.javalin.http.HandlerType;
import java.util.List;

/**
 * What the OpenAPI document says about one route. Routes are registered only through {@link Api},
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
        List<Param> query) {

    /**
     * A query parameter the route takes. A name may hold a {@code {key}} placeholder
     * ({@code field.{key}}); a repeatable parameter may be given more than once.
     */
    public record Param(String name, String description, boolean repeatable) {}
}
