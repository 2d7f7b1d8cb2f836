package dev.lethe.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.activity.Campaigns;
import dev.lethe.activity.MessageService;
import dev.lethe.activity.Timeline;
import dev.lethe.activity.TrackService;
import dev.lethe.audit.AuditLog;
import dev.lethe.goals.GoalService;
import dev.lethe.notices.Notices;
import dev.lethe.outbox.Outbox;
import dev.lethe.profiles.Profiles;
import dev.lethe.registry.PolicyService;
import dev.lethe.retention.LegalHolds;
import dev.lethe.storage.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: Javalin on Jetty, JSON by Jackson, errors as problem+json, one access-log line
 * per request (method, route template, status, time, account and key ids — never a query string,
 * a body or a personal value).
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    /** The features the API exposes. */
    public record Features(
            AccountService accounts,
            PolicyService policies,
            AuditLog audit,
            Profiles profiles,
            TrackService track,
            MessageService messages,
            GoalService goals,
            Timeline timeline,
            LegalHolds legalHolds,
            Campaigns campaigns,
            dev.lethe.retention.Sweeps sweeps,
            Outbox outbox,
            dev.lethe.erasure.Erasures erasures,
            dev.lethe.consent.Consents consents,
            dev.lethe.requests.Requests requests,
            dev.lethe.requests.AccessPackages packages,
            dev.lethe.jobs.JobService jobs,
            dev.lethe.transfer.Exports exports,
            dev.lethe.outbox.Webhooks webhooks,
            dev.lethe.subscriptions.SubprocessorSubscriptions subscriptions,
            dev.lethe.transfer.BulkDeletions bulkDeletions,
            dev.lethe.imports.Imports imports) {}

    /**
     * Where to listen, how much to accept, and which web pages may call the ingest routes from a
     * browser (CORS).
     */
    public record Settings(
            String host,
            int port,
            long maxBodyBytes,
            BrowserOrigins corsOrigins,
            Optional<ResponseCheck> responseCheck) {

        public Settings(String host, int port, long maxBodyBytes, BrowserOrigins corsOrigins) {
            this(host, port, maxBodyBytes, corsOrigins, Optional.empty());
        }

        /** No web page may call the API from a browser. */
        public Settings(String host, int port, long maxBodyBytes) {
            this(host, port, maxBodyBytes, BrowserOrigins.none());
        }

        /** The same, with every JSON answer checked against the served document (for tests). */
        public Settings withResponseCheck(ResponseCheck check) {
            return new Settings(host, port, maxBodyBytes, corsOrigins, Optional.of(check));
        }
    }

    private final Javalin app;
    private final List<RouteDoc> routes;

    public HttpServer(
            Settings settings, Database database, Features features, PrometheusMeterRegistry metrics, String version) {
        var docs = new AtomicReference<List<RouteDoc>>(List.of());
        this.app = Javalin.create(config -> {
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.jetty.modifyServer(server -> server.setErrorHandler(new MalformedRequests()));
            config.http.defaultContentType = "application/json";
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.requestLogger.http((ctx, ms) -> {
                String route = route(ctx);
                Caller caller = ctx.attribute(Api.CALLER);
                Timer.builder("http.server.requests")
                        .tag("method", ctx.method().name())
                        .tag("route", route)
                        .tag("status", Integer.toString(ctx.statusCode()))
                        .register(metrics)
                        .record(Duration.ofNanos((long) (ms * 1_000_000)));
                log.info(
                        "request {} {} {} {} {} {}",
                        kv("method", ctx.method().name()),
                        kv("route", route),
                        kv("status", ctx.statusCode()),
                        kv("ms", Math.round(ms * 10) / 10.0),
                        kv("account", caller == null ? null : caller.accountId()),
                        kv("key", caller == null ? null : caller.keyId()));
            });
            Problems.register(config.routes, settings.maxBodyBytes());
            var document = new AtomicReference<JsonNode>();
            Supplier<JsonNode> served =
                    () -> document.updateAndGet(d -> d != null ? d : OpenApi.document(docs.get(), version));
            var api = new Api(
                    config.routes, features.accounts(), settings.corsOrigins(), settings.responseCheck(), served);
            new SystemRoutes(database, metrics, served).register(api);
            new AccountRoutes(features.accounts()).register(api);
            new PolicyRoutes(features.policies()).register(api);
            new NoticeRoutes(new Notices(), features.policies(), features.accounts()).register(api);
            new AuditRoutes(features.audit()).register(api);
            new IngestRoutes(features.profiles().identification(), features.track(), features.messages()).register(api);
            new ProfileRoutes(features.profiles()).register(api);
            new StatisticsRoutes(features.track()).register(api);
            new GoalRoutes(features.goals()).register(api);
            new TimelineRoutes(features.timeline()).register(api);
            new LegalHoldRoutes(features.legalHolds()).register(api);
            new CampaignRoutes(features.campaigns()).register(api);
            new SweepRoutes(features.sweeps()).register(api);
            new OutboxRoutes(features.outbox()).register(api);
            new ErasureRoutes(features.erasures()).register(api);
            new ConsentRoutes(features.consents()).register(api);
            new RequestRoutes(features.requests(), features.packages()).register(api);
            new JobRoutes(features.jobs()).register(api);
            new ExportRoutes(features.exports()).register(api);
            new WebhookRoutes(features.webhooks(), features.subscriptions()).register(api);
            new BulkDeletionRoutes(features.bulkDeletions()).register(api);
            new ImportRoutes(features.imports()).register(api);
            docs.set(api.docs());
        });
        this.routes = docs.get();
    }

    /**
     * The route template that matched, or "unmatched". {@code ctx.endpoint()} throws when no route
     * matched (an unknown path), which would turn a 404 into a 500.
     */
    static String route(Context ctx) {
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? "unmatched" : endpoint.path;
    }

    public HttpServer start() {
        app.start();
        return this;
    }

    /** The port actually bound (useful with port 0 in tests). */
    public int port() {
        return app.port();
    }

    /** Every route Jetty will actually serve, as "METHOD /path" (to check the documentation). */
    public List<String> servedRoutes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path)
                .toList();
    }

    /** Every registered route, as documented. */
    public List<RouteDoc> routes() {
        return routes;
    }

    @Override
    public void close() {
        app.stop();
    }
}
