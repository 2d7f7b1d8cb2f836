package dev.lethe.http;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.ForbiddenException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    static final String CALLER = "lethe.caller";

    private final RoutesConfig routes;
    private final AccountService accounts;
    private final BrowserOrigins browsers;
    private final List<RouteDoc> docs = new ArrayList<>();

    Api(RoutesConfig routes, AccountService accounts, BrowserOrigins browsers) {
        this.routes = routes;
        this.accounts = accounts;
        this.browsers = browsers;
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
        private int status = 200;
        private List<String> responseTypes = List.of("application/json");
        private final List<RouteDoc.Param> query = new ArrayList<>();

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

        public Route accepts(String... mediaTypes) {
            this.requestTypes = Arrays.asList(mediaTypes);
            return this;
        }

        public Route returns(int status, String... mediaTypes) {
            this.status = status;
            this.responseTypes = Arrays.asList(mediaTypes);
            return this;
        }

        public Route query(String name, String description) {
            query.add(new RouteDoc.Param(name, description));
            return this;
        }

        public void handle(Handler handler) {
            if (summary.isBlank()) throw new IllegalStateException("route " + method + " " + path + " has no summary");
            docs.add(new RouteDoc(
                    method, path, access, summary, requestTypes, status, responseTypes, List.copyOf(query)));
            Access rule = access;
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
                handler.handle(ctx, caller);
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
