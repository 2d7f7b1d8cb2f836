package dev.lethe.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.ForbiddenException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Registers routes with their documentation and their access rule. A handler receives the
 * authenticated caller, so it cannot forget to check who is calling.
 */
public final class Api {

    /** A route's work, given the request and who makes it (null on public routes). */
    @FunctionalInterface
    public interface Handler {
        void handle(Context ctx, Caller caller) throws Exception;
    }

    /**
     * Reads a route's query parameters into what the route calls its feature with. Problems go into
     * the {@link Query}; they are answered all at once before the route's work starts.
     */
    @FunctionalInterface
    public interface Parser<P> {
        P parse(Query query, Caller caller);
    }

    /** A route's work, given its parameters as its {@link Parser} read them. */
    @FunctionalInterface
    public interface ParsedHandler<P> {
        void handle(Context ctx, Caller caller, P parameters) throws Exception;
    }

    static final String CALLER = "lethe.caller";

    private final RoutesConfig routes;
    private final AccountService accounts;
    private final BrowserOrigins browsers;
    private final List<RouteDoc> docs = new ArrayList<>();
    private final Supplier<JsonNode> document;
    private final Optional<ResponseCheck> responseCheck;

    Api(
            RoutesConfig routes,
            AccountService accounts,
            BrowserOrigins browsers,
            Optional<ResponseCheck> responseCheck,
            Supplier<JsonNode> document) {
        this.routes = routes;
        this.accounts = accounts;
        this.browsers = browsers;
        this.responseCheck = responseCheck;
        this.document = document;
    }

    /** Starts a route description: {@code api.route(GET, "/v1/policy").access(...).summary(...)}. */
    public Route route(HandlerType method, String path) {
        return new Route(method, path);
    }

    public List<RouteDoc> docs() {
        return List.copyOf(docs);
    }

    /** The builder of one route; {@link #handle} registers it. */
    public final class Route {
        private final HandlerType method;
        private final String path;
        private Access access = Access.PUBLIC;
        private String summary = "";
        private List<String> requestTypes = List.of();
        private boolean streamed;
        private int status = 200;
        private List<String> responseTypes = List.of("application/json");
        private final List<RouteDoc.Param> query = new ArrayList<>();
        private Class<?> requestBody;
        private Class<?> responseBody;
        private final Map<Integer, Class<?>> otherAnswers = new LinkedHashMap<>();
        private final Map<Integer, String> problems = new LinkedHashMap<>();

        private Route(HandlerType method, String path) {
            this.method = method;
            this.path = path;
        }

        public Route access(Access access) {
            this.access = access;
            return this;
        }

        public Route summary(String summary) {
            this.summary = summary;
            return this;
        }

        /**
         * The media types the route reads its body in; a route that reads a body must say, and its
         * body is then checked and decoded before the handler runs ({@link RequestBody}).
         */
        public Route accepts(String... mediaTypes) {
            this.requestTypes = Arrays.asList(mediaTypes);
            return this;
        }

        /**
         * The media types of a body the route reads as a stream (an upload of any size): the
         * media type is checked before the handler runs, the body is not read into memory and the
         * server's body limit does not apply; the route reads {@code ctx.req().getInputStream()}.
         */
        public Route streams(String... mediaTypes) {
            this.requestTypes = Arrays.asList(mediaTypes);
            this.streamed = true;
            return this;
        }

        public Route returns(int status, String... mediaTypes) {
            this.status = status;
            if (mediaTypes.length > 0) this.responseTypes = Arrays.asList(mediaTypes);
            return this;
        }

        /** The JSON body this route reads: the record its schema is generated from. */
        public Route body(Class<?> type) {
            this.requestBody = type;
            if (requestTypes.isEmpty()) requestTypes = List.of("application/json");
            return this;
        }

        /** The JSON this route answers on success: the record its schema is generated from. */
        public Route answers(Class<?> type) {
            this.responseBody = type;
            return this;
        }

        /** A further success status, answered with its own record. */
        public Route answers(int status, Class<?> type) {
            otherAnswers.put(status, type);
            return this;
        }

        /** A problem status particular to this route (a problem+json answer), and what it means. */
        public Route problem(int status, String meaning) {
            problems.put(status, meaning);
            return this;
        }

        /**
         * A query parameter the route takes, at most once. {@code {key}} in a name stands for any
         * text: {@code field.{key}} declares {@code field.tier}, {@code field.size}, …
         */
        public Route query(String name, String description) {
            query.add(new RouteDoc.Param(name, description, false));
            return this;
        }

        /** A query parameter the route takes any number of times. */
        public Route repeatableQuery(String name, String description) {
            query.add(new RouteDoc.Param(name, description, true));
            return this;
        }

        /** Reads the parameters before the work: see {@link Parser}. */
        public <P> Parsed<P> parse(Parser<P> parser) {
            return new Parsed<>(this, parser);
        }

        /**
         * Registers the route. A request with a query parameter the route does not declare, or one
         * given twice, is refused (400, naming each) before the handler runs.
         */
        public void handle(Handler handler) {
            parse((query, caller) -> null).handle((ctx, caller, none) -> handler.handle(ctx, caller));
        }

        private void register(Api.Handler handler) {
            if (summary.isBlank()) throw new IllegalStateException("route " + method + " " + path + " has no summary");
            docs.add(new RouteDoc(
                    method,
                    path,
                    access,
                    summary,
                    requestTypes,
                    status,
                    responseTypes,
                    List.copyOf(query),
                    requestBody,
                    responseBody,
                    Map.copyOf(otherAnswers),
                    Map.copyOf(problems)));
            Access rule = access;
            boolean documented = responseBody != null || !otherAnswers.isEmpty();
            List<String> accepted = List.copyOf(requestTypes);
            boolean stream = streamed;
            // an ingest key is the one key made to ship in a web page: the routes it may call, and
            // only those, answer CORS for the configured origins
            if (access.anyOf().contains(Scope.INGEST) && !browsers.isEmpty()) {
                HandlerType routeMethod = method;
                routes.before(path, ctx -> browsers.answer(ctx, routeMethod));
            }
            routes.addHttpHandler(method, path, ctx -> {
                Caller caller = rule.isPublic() ? null : authenticate(ctx);
                if (caller != null && !rule.allows(caller)) {
                    throw new ForbiddenException("This needs a key with the " + rule.describe() + " scope.");
                }
                // every body is taken in here, by one rule (media type, UTF-8), never by a route
                if (stream) RequestBody.checkType(ctx, accepted);
                else if (!accepted.isEmpty()) RequestBody.takeIn(ctx, accepted);
                handler.handle(ctx, caller);
                // a streamed answer (an access package) went out as it was written: nothing to check here
                if (documented
                        && responseCheck.isPresent()
                        && ctx.statusCode() < 300
                        && isJson(ctx)
                        && ctx.result() != null)
                    responseCheck.get().check(document.get(), method.name(), path, ctx.statusCode(), ctx.result());
            });
        }
    }

    private static boolean isJson(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith("application/json");
    }

    /** A route whose query parameters are read by a {@link Parser} before its work. */
    public final class Parsed<P> {
        private final Route route;
        private final Parser<P> parser;

        private Parsed(Route route, Parser<P> parser) {
            this.route = route;
            this.parser = parser;
        }

        /** Registers the route: checks and reads its parameters, answers every problem at once, then works. */
        public void handle(ParsedHandler<P> handler) {
            var declared = List.copyOf(route.query);
            route.register((ctx, caller) -> {
                var query = new Query(ctx.queryParamMap(), declared);
                query.requireUtf8(ctx.queryString());
                P parameters = parser.parse(query, caller);
                query.requireValid();
                handler.handle(ctx, caller, parameters);
            });
        }
    }

    private Caller authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip()
                : null;
        Caller caller = accounts.authenticate(key, ctx.ip());
        ctx.attribute(CALLER, caller);
        return caller;
    }
}
