package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Promise 9 for every route the server serves, generated from its own /openapi.json so that a new
 * route cannot escape: each path parameter, each declared query parameter, an undeclared one and
 * the body (for every route that takes one) get a catalogue of hostile values, with a valid key of
 * the route's scope. Each must get a 4xx problem with a title — never a 5xx, never a 2xx except
 * where {@link #ACCEPTED} says a value is legitimately taken — change nothing (row counts of every
 * table, the audit log's among them, before and after each route's batch), and leave nothing the
 * caller sent in the log (every hostile value holds a marker the captured log is searched for).
 */
class HostileInputSweepTest {

    /** Held by every hostile text, so a log line or stored cell holding one is recognisable. */
    private static final String MARK = "zqxsweep";
    /** Held by every hostile number. */
    private static final String NUMBER_MARK = "73577357";

    private static final List<String> MARKS = List.of(MARK, NUMBER_MARK, "1000000000-01-01");

    /** The classes of hostile value. */
    enum Kind {
        NUL,
        SURROGATE,
        INVALID_UTF8,
        HUGE,
        FAR_TIME,
        NEGATIVE,
        HUGE_NUMBER,
        SQL,
        HTML,
        FORMAT,
        TRAVERSAL,
        OBJECT_FOR_VALUE,
        LIST_FOR_VALUE,
        BOOLEAN_FOR_VALUE,
        DEEP,
        NOT_AN_OBJECT,
        MALFORMED,
        OVER_LIMIT,
        DUPLICATE_KEYS,
        UNKNOWN_KEY,
        BOGUS_CHARSET,
        UNDECLARED_QUERY
    }

    /** Harmless texts a free-text field may legitimately keep. */
    private static final Set<Kind> TEXT = EnumSet.of(Kind.SQL, Kind.HTML, Kind.FORMAT, Kind.FAR_TIME, Kind.HUGE);

    /** Harmless values a field taking any scalar (a trait, a property) may legitimately keep. */
    private static final Set<Kind> SCALAR = EnumSet.of(
            Kind.SQL,
            Kind.HTML,
            Kind.FORMAT,
            Kind.FAR_TIME,
            Kind.HUGE,
            Kind.NEGATIVE,
            Kind.HUGE_NUMBER,
            Kind.BOOLEAN_FOR_VALUE);

    /** Harmless texts a free-text filter of a query may legitimately be given (it then matches nothing). */
    private static final Set<Kind> QUERY_TEXT = EnumSet.of(
            Kind.SQL,
            Kind.HTML,
            Kind.FORMAT,
            Kind.FAR_TIME,
            Kind.HUGE,
            Kind.NEGATIVE,
            Kind.HUGE_NUMBER,
            Kind.TRAVERSAL);

    /** A value legitimately accepted: route, where in it (a regular expression), which classes. */
    private record Accepted(String route, String where, Set<Kind> kinds) {}

    /**
     * The only places a hostile-looking value may get a 2xx: free-text fields, which keep what
     * they are given (sealed if personal). Sent after every route's refusals were checked, and
     * checked for no 5xx and nothing in the log only.
     */
    private static final List<Accepted> ACCEPTED = List.of(
            new Accepted("POST /v1/identify", "body:traits\\..*", SCALAR),
            new Accepted("POST /v1/track", "body:events\\[0]\\.(properties|context)\\..*", SCALAR),
            new Accepted("POST /v1/messages", "body:messages\\[0]\\.content", SCALAR),
            new Accepted(
                    "POST /v1/messages", "body:messages\\[0]\\.(product|api|status|conversationId|campaignId)", TEXT),
            new Accepted("(POST /v1/segments|PUT /v1/segments/\\{id})", "body:(name|filter\\.tag)", TEXT),
            // an export's filter is a segment's: a tag is any text (it then matches no one)
            new Accepted("POST /v1/exports", "body:filter\\.tag", TEXT),
            new Accepted("PUT /v1/notices/publication", "body:public", EnumSet.of(Kind.BOOLEAN_FOR_VALUE)),
            new Accepted("POST /v1/webhooks", "body:personalData", EnumSet.of(Kind.BOOLEAN_FOR_VALUE)),
            new Accepted("GET /v1/profiles", "query:(tag|field\\..*)", QUERY_TEXT),
            new Accepted("GET /v1/audit", "query:(actor|action|target)", QUERY_TEXT),
            new Accepted("POST /v1/accounts", "body:name", TEXT),
            new Accepted("POST /v1/accounts/\\{id}/retention-extensions", "body:reason", TEXT),
            new Accepted("POST /v1/keys", "body:label", TEXT),
            new Accepted("POST /v1/legal-holds", "body:reason", TEXT),
            new Accepted("POST /v1/requests/\\{id}/(reject|extend)", "body:reason", TEXT),
            new Accepted("PATCH /v1/profiles/\\{id}", "body:traits\\..*", SCALAR),
            // the example asks for a preview already: true is what it says
            new Accepted("POST /v1/sweeps", "body:dryRun", EnumSet.of(Kind.BOOLEAN_FOR_VALUE)),
            // a campaign id is a name: a long number is one
            new Accepted("(PUT|GET) /v1/campaigns/\\{id}", "path:id", EnumSet.of(Kind.HUGE_NUMBER)),
            new Accepted("POST /v1/goals", "body:name", TEXT),
            // a bulk deletion's identifier that names nobody, or is no such identifier at all, is an
            // error of the job (row, column, reason; never the value), not a refusal of the whole file
            new Accepted(
                    "POST /v1/bulk-deletions",
                    "body:identifiers\\[0]\\.email",
                    EnumSet.of(Kind.SQL, Kind.HTML, Kind.FORMAT, Kind.FAR_TIME, Kind.HUGE, Kind.NUL, Kind.SURROGATE)),
            // the examples grant and mark material already: true is what they say
            new Accepted(
                    "POST /v1/privacy-policies",
                    "body:(material|requiresReconsent)",
                    EnumSet.of(Kind.BOOLEAN_FOR_VALUE)),
            new Accepted("POST /v1/consents", "body:purposes\\..*", EnumSet.of(Kind.BOOLEAN_FOR_VALUE)),
            // asking for verification is a yes or no: true sends a code through the outbox
            new Accepted("POST /v1/requests", "body:verify", EnumSet.of(Kind.BOOLEAN_FOR_VALUE)),
            // a visitor id is whatever text the device's cookie holds; only its blind index is kept
            new Accepted("POST /v1/consents", "body:subject\\.visitorId", TEXT),
            new Accepted("POST /v1/goals", "body:match\\..*", SCALAR),
            // a goal's match names event properties: any name is data there
            new Accepted("POST /v1/goals", "body:match", EnumSet.of(Kind.UNKNOWN_KEY)),
            new Accepted("POST /v1/fields", "body:displayName", TEXT),
            new Accepted("POST /v1/fields", "body:filterable", EnumSet.of(Kind.BOOLEAN_FOR_VALUE)),
            new Accepted(
                    "(PUT /v1/policy|POST /v1/policy/validate|PUT /v1/platform/policy)",
                    "body:(controller\\.(name|contact|address)|.*\\.(description|title|purpose|measures|provider|address)"
                            + "|processors\\[\\d+]\\.name|cookies\\[\\d+]\\.name)",
                    TEXT),
            new Accepted(
                    "(PUT /v1/policy|POST /v1/policy/validate|PUT /v1/platform/policy)",
                    "body:.*\\.(enabled|required|filterable)",
                    EnumSet.of(Kind.BOOLEAN_FOR_VALUE)));

    /**
     * Writes bodies with every character beyond ASCII escaped ({@code \ud800}), so half a
     * character reaches the server as the JSON escape a client would send, not as the '?' a UTF-8
     * encoder puts in its place.
     */
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** A body as the sweep sends it: JSON with everything beyond ASCII escaped. */
    private static String written(JsonNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
    private static final Pattern SCOPES = Pattern.compile("Needs a key with the (.+) scope\\.");

    private final LoggerContext logContext = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger root = logContext.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One request of the sweep. */
    private record Probe(
            String route,
            String where,
            Kind kind,
            String method,
            String uri,
            String contentType,
            byte[] body,
            String key) {
        String name() {
            return route + " " + where + " " + kind;
        }
    }

    /** A failure: the route, the class of value that caused it, and what happened. */
    private record Failure(String route, Kind kind, String what) {
        String classified() {
            return route + " × " + kind;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyRouteRefusesHostileInputWithAProblemChangesNothingAndLogsNoneOfIt(TestDatabase engine) throws Exception {
        appender.setContext(logContext);
        appender.start();
        root.addAppender(appender);
        Level rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        // webhooks to 127.0.0.1 are allowed here, so a real endpoint exists for the routes to act on
        try (var lethe = new TestLethe(
                engine,
                config -> config.withOutbox(dev.lethe.outbox.OutboxSettings.DEFAULT.withWebhooks(
                        dev.lethe.outbox.OutboxSettings.Webhooks.DEFAULT.withAllowPrivate(true))))) {
            port = lethe.lethe().port();
            var world = World.make(lethe);
            JsonNode document =
                    JSON.readTree(lethe.http().get("/openapi.json", null).body());
            List<String> tables =
                    List.copyOf(RawStorage.columns(lethe.jdbcUrl()).keySet());
            var failures = new ArrayList<Failure>();
            var later = new ArrayList<Probe>();
            int sent = 0;
            for (var path : iterable(document.get("paths").fields())) {
                for (var op : iterable(path.getValue().fields())) {
                    String route = op.getKey().toUpperCase() + " " + path.getKey();
                    var probes = probes(route, op.getValue(), world, failures);
                    var before = counts(lethe.jdbcUrl(), tables);
                    var accepted = new ArrayList<Probe>();
                    for (var probe : probes) {
                        if (accepted(probe)) {
                            later.add(probe);
                            continue;
                        }
                        sent++;
                        var r = send(probe);
                        String problem = refusalProblem(probe, r);
                        if (problem != null) {
                            failures.add(new Failure(route, probe.kind(), probe.name() + ": " + problem));
                            if (r.statusCode() >= 200 && r.statusCode() < 300) accepted.add(probe);
                        }
                        logged(probe, failures);
                    }
                    var after = counts(lethe.jdbcUrl(), tables);
                    if (!before.equals(after) && !(batch(route) && accepted.isEmpty() && onlyAudit(before, after))) {
                        // (a batch refused whole still appends its activity entry, outcome and
                        // counts, to the audit log: that is accounting for the attempt, not a change)
                        String changed = changes(before, after);
                        if (accepted.isEmpty())
                            failures.add(new Failure(route, null, route + ": every request refused, yet " + changed));
                        for (var probe : accepted)
                            failures.add(new Failure(route, probe.kind(), probe.name() + " changed " + changed));
                    }
                }
            }
            for (var probe : later) {
                sent++;
                var r = send(probe);
                logged(probe, failures);
                if (r.statusCode() == 0 || r.statusCode() >= 500 || (r.statusCode() >= 400 && !isProblem(r)))
                    failures.add(new Failure(probe.route(), probe.kind(), probe.name() + ": " + describe(r)));
            }
            logged(null, failures);

            assertThat(sent).as("requests sent").isGreaterThan(500);
            assertThat(failures)
                    .as(
                            "%d of %d hostile requests failed; by route and value: %s",
                            failures.size(),
                            sent,
                            failures.stream()
                                    .filter(f -> f.kind() != null)
                                    .map(Failure::classified)
                                    .distinct()
                                    .sorted()
                                    .collect(Collectors.joining("\n", "\n", "\n")))
                    .extracting(Failure::what)
                    .isEmpty();
        } finally {
            root.setLevel(rootLevel);
            root.detachAppender(appender);
            appender.stop();
        }
    }

    // ------------------------------------------------------------------ the world the routes act on

    /** The account, keys and ids the routes are called with: real ones, so hostile values reach deep. */
    private record World(
            String accountId,
            String admin,
            String read,
            String ingest,
            String keyId,
            String profile,
            String otherProfile,
            String goal,
            String segment,
            String field,
            String hold,
            String sweep,
            String mail,
            String erasure,
            String consent,
            String request,
            String job,
            String webhook,
            String bulkDeletion,
            String importJob) {

        static final String POLICY = TestPolicies.DATA_CORE
                .replace("  ip_address:\n", """
                          message_content:
                            purpose: contact
                            lawfulBasis: contract
                            source: api
                            subjects: [visitor, profile]
                            retention: { period: P6M, after: collected }
                          ip_address:
                        """)
                .replace("  traits.name: name\n", "  traits.name: name\n  message.content: message_content\n")
                .replace("records:\n", "records:\n  message: { kind: message, retention: { period: P6M } }\n");

        static World make(TestLethe lethe) {
            var http = lethe.http();
            var a = lethe.createAccount("Sweep Shop");
            var put = http.putYaml("/v1/policy", a.adminKey(), POLICY);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            String profile = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org"}, "traits": {"name": "Zebulon"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            String other = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "yolanda@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            String goal = http.post("/v1/goals", a.adminKey(), """
                            {"name": "Signup", "eventType": "signup"}
                            """)
                    .json()
                    .get("goalId")
                    .asText();
            var fieldAdded = http.post("/v1/fields", a.adminKey(), """
                            {"key": "loyalty", "category": "name", "type": "text"}
                            """);
            assertThat(fieldAdded.status()).as(fieldAdded.toString()).isEqualTo(201);
            String segment = http.post("/v1/segments", a.adminKey(), """
                            {"name": "sweepers", "filter": {"tag": "sweep"}}
                            """)
                    .json()
                    .get("id")
                    .asText();
            var campaign = http.put(
                    "/v1/campaigns/spring-2026",
                    a.adminKey(),
                    "{\"endedAt\": \"2026-01-10T00:00:00Z\"}",
                    "application/json");
            assertThat(campaign.status()).as(campaign.toString()).isEqualTo(200);
            String hold = http.post("/v1/legal-holds", a.adminKey(), """
                            {"profileId": "%s", "reason": "Invoice 2026-117 unpaid"}
                            """.formatted(profile))
                    .json()
                    .get("id")
                    .asText();
            String erased = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "xavier@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            var erasure = http.delete("/v1/profiles/" + erased, a.adminKey());
            assertThat(erasure.status()).as(erasure.toString()).isEqualTo(200);
            var swept = http.post("/v1/sweeps", a.adminKey(), "{}");
            assertThat(swept.status()).as(swept.toString()).isEqualTo(200);
            var published = http.post("/v1/privacy-policies", a.adminKey(), """
                            {"version": "v1", "url": "https://shop.example/privacy/v1", "publishedAt": "2020-01-01T00:00:00Z"}
                            """);
            assertThat(published.status()).as(published.toString()).isEqualTo(201);
            String consent = http.post("/v1/consents", a.adminKey(), """
                            {"subject": {"profileId": "%s"}, "policyVersion": "v1", "purposes": {"targeting": true},
                             "source": "banner"}
                            """.formatted(profile))
                    .json()
                    .get("consentId")
                    .asText();
            var request = http.post("/v1/requests", a.adminKey(), """
                            {"type": "access", "subject": {"profileId": "%s"}}
                            """.formatted(profile));
            assertThat(request.status()).as(request.toString()).isEqualTo(201);
            return new World(
                    a.id(),
                    a.adminKey(),
                    lethe.createKey(a.adminKey(), "read").key(),
                    lethe.createKey(a.adminKey(), "ingest").key(),
                    lethe.createKey(a.adminKey(), "read").keyId(),
                    profile,
                    other,
                    goal,
                    segment,
                    "loyalty",
                    hold,
                    swept.json().get("id").asText(),
                    lethe.lethe()
                            .database()
                            .jdbi()
                            .inTransaction(h -> lethe.lethe()
                                    .outbox()
                                    .enqueue(
                                            h,
                                            a.id(),
                                            java.util.Optional.of(profile),
                                            dev.lethe.outbox.OutboxMessage.email(
                                                    "zebulon@example.org",
                                                    "Your request",
                                                    "In progress",
                                                    "request-update"))),
                    erasure.json().get("erasureId").asText(),
                    consent,
                    request.json().get("id").asText(),
                    job(lethe, a),
                    http.post("/v1/webhooks", a.adminKey(), """
                                    {"url": "http://127.0.0.1:9/hook", "events": ["job.completed"]}
                                    """)
                            .json()
                            .get("id")
                            .asText(),
                    bulkDeletion(lethe, a),
                    importJob(lethe, a));
        }

        /**
         * A real import of the account, still uploading (not runnable: the sweep's commits are
         * refused, 409, and its preview reads are empty).
         */
        static String importJob(TestLethe lethe, TestLethe.Tenant a) {
            return job(
                    lethe,
                    a,
                    dev.lethe.jobs.JobKind.IMPORT,
                    dev.lethe.jobs.JobState.UPLOADING,
                    java.util.Map.of("mode", "ignore-empty"));
        }

        /** A real job of the account (queued, not started: the sweep only reads and cancels it). */
        static String job(TestLethe lethe, TestLethe.Tenant a) {
            return job(lethe, a, dev.lethe.jobs.JobKind.EXPORT, dev.lethe.jobs.JobState.QUEUED, java.util.Map.of());
        }

        static String job(
                TestLethe lethe,
                TestLethe.Tenant a,
                dev.lethe.jobs.JobKind kind,
                dev.lethe.jobs.JobState state,
                java.util.Map<String, Object> params) {
            var jobs = lethe.lethe().transferJobs();
            String id = jobs.newId();
            var caller = new dev.lethe.accounts.Caller(
                    a.id(),
                    TestLethe.keyIdOf(a.adminKey()),
                    java.util.Set.of(dev.lethe.accounts.Scope.ADMIN),
                    "127.0.0.1");
            lethe.lethe()
                    .database()
                    .jdbi()
                    .useTransaction(h -> jobs.create(
                            h, caller, id, new dev.lethe.jobs.JobService.NewJob(kind, state, params, null)));
            return id;
        }

        /** A real bulk deletion of the account (an empty file: it completes with zero counts). */
        static String bulkDeletion(TestLethe lethe, TestLethe.Tenant a) {
            var r = lethe.http().postAs("/v1/bulk-deletions", a.adminKey(), "text/csv", "email\r\n");
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            String id = r.json().get("id").asText();
            // ended before the sweep starts, so its end changes nothing the sweep watches
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!lethe.http()
                    .get("/v1/jobs/" + id, a.adminKey())
                    .json()
                    .get("state")
                    .asText()
                    .equals("completed")) {
                assertThat(System.nanoTime()).as("the bulk deletion to end").isLessThan(deadline);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return id;
        }

        /** A real value for a path parameter, so that a hostile value elsewhere is what the route sees. */
        String pathValue(String route, String param) {
            return switch (param) {
                case "accountId" -> accountId;
                case "keyId" -> keyId;
                case "version" -> "1";
                case "key" -> field;
                case "kind" -> "retention";
                case "id" -> {
                    var ids = new java.util.LinkedHashMap<String, String>();
                    ids.put("/accounts/", accountId);
                    ids.put("/profiles/", profile);
                    ids.put("/goals/", goal);
                    ids.put("/segments/", segment);
                    ids.put("/legal-holds/", hold);
                    ids.put("/campaigns/", "spring-2026");
                    ids.put("/sweeps/", sweep);
                    ids.put("/outbox/", mail);
                    ids.put("/erasures/", erasure);
                    ids.put("/consents/", consent);
                    ids.put("/requests/", request);
                    ids.put("/jobs/", job);
                    ids.put("/exports/", job);
                    ids.put("/webhooks/", webhook);
                    ids.put("/bulk-deletions/", bulkDeletion);
                    ids.put("/imports/", importJob);
                    yield ids.entrySet().stream()
                            .filter(e -> route.contains(e.getKey()))
                            .map(java.util.Map.Entry::getValue)
                            .findFirst()
                            .orElse(null);
                }
                default -> null;
            };
        }

        /** A key of the route's scope: the narrowest the route takes. */
        String key(JsonNode op) {
            var m = SCOPES.matcher(op.path("description").asText());
            if (!m.find()) return null;
            var scopes = List.of(m.group(1).split(" or "));
            if (scopes.contains("ingest")) return ingest;
            if (scopes.contains("read")) return read;
            if (scopes.contains("admin")) return admin;
            return TestLethe.OPERATOR_KEY;
        }

        /** A valid body for each route that takes one; a new route with a body needs one here. */
        JsonNode example(String route) {
            String json = switch (route) {
                case "POST /v1/accounts" -> "{\"name\": \"Sweep Two\"}";
                case "POST /v1/accounts/{id}/contract" -> "{\"endedAt\": \"2026-06-01T00:00:00Z\"}";
                case "POST /v1/accounts/{id}/retention-extensions" -> """
                            {"target": "categories.email_address", "maxPeriod": "P5Y", "reason": "Disputes"}""";
                case "POST /v1/keys" -> "{\"scopes\": [\"read\"], \"label\": \"sweep\"}";
                case "PUT /v1/policy", "POST /v1/policy/validate", "PUT /v1/platform/policy" -> yamlAsJson(POLICY);
                case "POST /v1/fields" -> """
                            {"key": "tier", "displayName": "Tier", "category": "name", "type": "text", "filterable": true}""";
                case "PUT /v1/notices/publication" -> "{\"public\": false}";
                case "POST /v1/goals" -> """
                            {"name": "Upgrade", "eventType": "upgrade", "match": {"plan": "gold"}}""";
                case "POST /v1/identify" -> """
                            {"visitorId": "sweep-1", "subjectType": "profile", "ts": "2026-01-10T00:00:00Z",
                             "identifiers": {"email": "sweep@example.org", "phone": "+32 471 23 45 67", "externalId": "c-1"},
                             "traits": {"name": "Sweep"}}""";
                case "POST /v1/track" -> """
                            {"events": [{"visitorId": "sweep-1", "sessionId": "s-1", "type": "page_view",
                              "ts": "2026-01-10T00:00:00Z", "properties": {"plan": "gold"},
                              "context": {"ip": "198.51.100.7", "url": "https://shop.example/", "referrer": "https://search.example/",
                                          "userAgent": "Mozilla/5.0", "campaign": "spring", "locale": "nl-BE", "country": "BE"}}]}""";
                case "POST /v1/messages" -> """
                            {"messages": [{"subject": {"email": "sweep@example.org"}, "channel": "email", "direction": "outbound",
                              "product": "campaigns", "api": "smtp", "status": "sent", "conversationId": "conv-1",
                              "campaignId": "camp-1", "ts": "2026-01-10T00:00:00Z", "content": "Hello"}]}""";
                case "POST /v1/segments" -> """
                            {"name": "gold", "filter": {"tag": "vip", "engagement": "high", "lastVisitWithin": "P30D"}}""";
                case "POST /v1/outbox/{id}/retry" -> "{\"at\": \"2026-01-15T10:00:00Z\"}";
                case "PUT /v1/campaigns/{id}" -> "{\"endedAt\": \"2026-01-12T00:00:00Z\"}";
                case "POST /v1/legal-holds" -> """
                            {"category": "email_address", "reason": "Dispute 42", "until": "2027-01-01T00:00:00Z"}""";
                case "POST /v1/sweeps" ->
                    JSON.createObjectNode()
                            .put("dryRun", true)
                            .put("asOf", "2026-06-01T00:00:00Z")
                            .put("policy", POLICY.replace("P120D", "P90D"))
                            .put("account", accountId)
                            .toString();
                case "PUT /v1/segments/{id}" -> """
                            {"name": "silver", "filter": {"tag": "vip", "engagement": "high"}}""";
                case "POST /v1/profiles/{id}/tags" -> "{\"add\": [\"vip\"], \"remove\": [\"old\"]}";
                case "POST /v1/profiles/{id}/merge" -> "{\"from\": \"" + otherProfile + "\"}";
                case "POST /v1/privacy-policies" -> """
                            {"version": "v2", "url": "https://shop.example/privacy/v2", "publishedAt": "2026-01-01T00:00:00Z",
                             "material": true, "requiresReconsent": false}""";
                case "POST /v1/consents" -> """
                            {"subject": {"visitorId": "sweep-1"}, "policyVersion": "v1", "purposes": {"targeting": true},
                             "source": "banner", "proof": {"form": "banner-1", "ip": "198.51.100.7"},
                             "ts": "2026-01-10T00:00:00Z"}""";
                case "POST /v1/requests" -> """
                            {"type": "access", "subject": {"email": "zebulon@example.org"},
                             "receivedAt": "2026-01-10T00:00:00Z", "purposes": [], "verify": false}""";
                case "PATCH /v1/profiles/{id}" -> "{\"traits\": {\"name\": \"Zebulon Quirk\"}}";
                case "POST /v1/exports" ->
                    "{\"segment\": \"" + segment
                            + "\", \"filter\": {\"tag\": \"vip\"}, \"columns\": [\"id\", \"traits.name\"],"
                            + " \"notify\": \"zebulon@example.org\"}";
                case "POST /v1/webhooks" -> """
                            {"url": "http://127.0.0.1:9/other", "events": ["job.completed", "job.failed"],
                             "personalData": false}""";
                case "POST /v1/subprocessor-subscriptions" -> "{\"email\": \"sweep.subscriber@example.org\"}";
                case "POST /v1/requests/{id}/reject" -> "{\"reason\": \"manifestly unfounded\"}";
                case "POST /v1/requests/{id}/extend" -> "{\"months\": 1, \"reason\": \"complex case\"}";
                case "POST /v1/requests/{id}/verify" -> "{\"code\": \"ABCDEFGH23\"}";
                case "POST /v1/requests/{id}/complete",
                        "POST /v1/requests/{id}/code",
                        "POST /v1/requests/{id}/lift",
                        "POST /v1/jobs/{id}/cancel",
                        "POST /v1/imports/{id}/commit" -> "{}";
                case "POST /v1/bulk-deletions" -> "{\"identifiers\": [{\"email\": \"sweep@example.org\"}]}";
                // an import's body is CSV or a form, streamed: every JSON probe is refused by its
                // media type (415); ImportTest sends it hostile CSV, ImportMultipartTest hostile forms
                case "POST /v1/imports" -> "{}";
                default -> null;
            };
            try {
                return json == null ? null : JSON.readTree(json);
            } catch (IOException e) {
                throw new IllegalStateException(route, e);
            }
        }

        private static String yamlAsJson(String yaml) {
            try {
                return JSON.writeValueAsString(new YAMLMapper().readTree(yaml));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------ the catalogue

    /** Hostile texts for a path segment or a query value, already percent-encoded. */
    private static Map<Kind, String> urlValues() {
        var out = new LinkedHashMap<Kind, String>();
        out.put(Kind.NUL, MARK + "%00x");
        out.put(Kind.INVALID_UTF8, MARK + "%FF%FE%C3%28");
        out.put(Kind.SURROGATE, MARK + "%ED%A0%80");
        out.put(Kind.HUGE, MARK + "x".repeat(4_000));
        out.put(Kind.FAR_TIME, "%2B1000000000-01-01T00:00:00Z");
        out.put(Kind.NEGATIVE, "-" + NUMBER_MARK + "99");
        out.put(Kind.HUGE_NUMBER, NUMBER_MARK.repeat(5));
        out.put(Kind.SQL, encode("' OR 1=1; DROP TABLE subjects; -- " + MARK));
        out.put(Kind.HTML, encode("<script>alert('" + MARK + "')</script>"));
        out.put(Kind.FORMAT, encode("%s%n%x%d ${jndi:ldap://" + MARK + "} {0}"));
        out.put(Kind.TRAVERSAL, "..%2F..%2F" + MARK);
        return out;
    }

    /** Hostile values for one place in a JSON body. */
    private static Map<Kind, JsonNode> jsonValues(int hugeLength) {
        var f = JsonNodeFactory.instance;
        var out = new LinkedHashMap<Kind, JsonNode>();
        out.put(Kind.OBJECT_FOR_VALUE, f.objectNode().put(MARK, 1));
        out.put(Kind.LIST_FOR_VALUE, f.arrayNode().add(MARK));
        out.put(Kind.BOOLEAN_FOR_VALUE, f.booleanNode(true));
        out.put(Kind.NUL, f.textNode(MARK + "\u0000x"));
        out.put(Kind.SURROGATE, f.textNode(MARK + "\ud800"));
        out.put(Kind.HUGE, f.textNode(MARK + "x".repeat(hugeLength)));
        out.put(Kind.FAR_TIME, f.textNode("+1000000000-01-01T00:00:00Z"));
        out.put(Kind.NEGATIVE, f.numberNode(-Long.parseLong(NUMBER_MARK + "99")));
        out.put(Kind.HUGE_NUMBER, f.numberNode(new BigInteger(NUMBER_MARK.repeat(5))));
        out.put(Kind.SQL, f.textNode("' OR 1=1; DROP TABLE subjects; -- " + MARK));
        out.put(Kind.HTML, f.textNode("<script>alert('" + MARK + "')</script>"));
        out.put(Kind.FORMAT, f.textNode("%s%n%x%d ${jndi:ldap://" + MARK + "} {0}"));
        out.put(Kind.DEEP, f.textNode(DEEP_PLACEHOLDER));
        return out;
    }

    private static final String DEEP_PLACEHOLDER = MARK + "-deep-placeholder";
    private static final String DEEP = "[".repeat(10_000) + "\"" + MARK + "\"" + "]".repeat(10_000);

    /** At most this many places of one body get the value catalogue (a policy has hundreds). */
    private static final int PLACES_PER_BODY = 14;

    private List<Probe> probes(String route, JsonNode op, World world, List<Failure> failures) {
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1);
        String key = world.key(op);
        var out = new ArrayList<Probe>();
        boolean hasBody =
                op.has("requestBody") || Set.of("POST", "PUT", "PATCH").contains(method);
        JsonNode example = hasBody ? world.example(route) : null;
        if (hasBody && example == null) {
            failures.add(new Failure(route, null, route + " takes a body: give the sweep an example of it"));
            return out;
        }
        byte[] exampleBytes = example == null ? null : written(example).getBytes(StandardCharsets.UTF_8);
        String json = "application/json";
        var params = new ArrayList<String>();
        var m = PATH_PARAM.matcher(path);
        while (m.find()) params.add(m.group(1));
        for (String param : params) {
            if (world.pathValue(path, param) == null) {
                failures.add(new Failure(route, null, route + ": give the sweep a real value for {" + param + "}"));
                return out;
            }
        }
        String realPath = path;
        for (String param : params) realPath = realPath.replace("{" + param + "}", world.pathValue(path, param));

        for (String param : params) {
            String others = path;
            for (String p : params)
                if (!p.equals(param)) others = others.replace("{" + p + "}", world.pathValue(path, p));
            for (var v : urlValues().entrySet()) {
                String uri = others.replace("{" + param + "}", v.getValue());
                out.add(new Probe(route, "path:" + param, v.getKey(), method, uri, json, exampleBytes, key));
            }
        }
        for (JsonNode p : op.path("parameters")) {
            if (!p.path("in").asText().equals("query")) continue;
            // a family of parameters (field.{key}) is tried with one member of it
            String name = encode(p.path("name").asText().replaceAll("\\{[^}]+}", "tier"));
            for (var v : urlValues().entrySet()) {
                String uri = realPath + "?" + name + "=" + v.getValue();
                out.add(new Probe(route, "query:" + name, v.getKey(), method, uri, json, exampleBytes, key));
            }
        }
        out.add(new Probe(
                route,
                "query:(undeclared)",
                Kind.UNDECLARED_QUERY,
                method,
                realPath + "?" + MARK + "Param=" + MARK,
                json,
                exampleBytes,
                key));
        if (example != null) out.addAll(bodyProbes(route, method, realPath, example, key));
        return out;
    }

    private List<Probe> bodyProbes(String route, String method, String uri, JsonNode example, String key) {
        var out = new ArrayList<Probe>();
        String json = "application/json";
        String exampleText = written(example);
        for (String body : List.of("[]", "\"" + MARK + "\"", NUMBER_MARK, "null", "true"))
            out.add(new Probe(route, "body", Kind.NOT_AN_OBJECT, method, uri, json, utf8(body), key));
        out.add(new Probe(route, "body", Kind.MALFORMED, method, uri, json, utf8("{\"" + MARK + "\": "), key));
        out.add(new Probe(
                route,
                "body",
                Kind.OVER_LIMIT,
                method,
                uri,
                json,
                utf8("{\"" + MARK + "\": \"" + "x".repeat(250_000) + "\"}"),
                key));
        out.add(new Probe(route, "body", Kind.DEEP, method, uri, json, utf8(DEEP), key));
        out.add(new Probe(
                route,
                "body",
                Kind.DEEP,
                method,
                uri,
                json,
                utf8("{\"a\":".repeat(10_000) + "\"" + MARK + "\"" + "}".repeat(10_000)),
                key));
        // an action that takes no fields ({}) has no key to give twice
        if (example.fieldNames().hasNext()) {
            String first = example.fieldNames().next();
            out.add(new Probe(
                    route,
                    "body:" + first,
                    Kind.DUPLICATE_KEYS,
                    method,
                    uri,
                    json,
                    utf8("{\"" + first + "\": \"" + MARK + "\"," + exampleText.substring(1)),
                    key));
        }
        for (var at : objects(example)) {
            var copy = example.deepCopy();
            ((ObjectNode) copy.at(at.pointer())).put(MARK + "Unknown", MARK);
            out.add(new Probe(
                    route, "body:" + at.path(), Kind.UNKNOWN_KEY, method, uri, json, utf8(written(copy)), key));
        }
        out.add(new Probe(
                route,
                "body",
                Kind.BOGUS_CHARSET,
                method,
                uri,
                "application/json; charset=" + MARK + "-bogus",
                utf8(exampleText),
                key));
        var places = places(example);
        var text =
                places.stream().filter(p -> example.at(p.pointer()).isTextual()).findFirst();
        if (text.isPresent()) {
            var copy = example.deepCopy();
            set(copy, text.get(), JsonNodeFactory.instance.textNode(DEEP_PLACEHOLDER));
            String[] halves = written(copy).split(Pattern.quote("\"" + DEEP_PLACEHOLDER + "\""), 2);
            var bytes = new ByteArrayOutputStream();
            bytes.writeBytes(utf8(halves[0] + "\"" + MARK));
            bytes.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xC3, (byte) 0x28});
            bytes.writeBytes(utf8("\"" + halves[1]));
            out.add(new Probe(
                    route,
                    "body:" + text.get().path(),
                    Kind.INVALID_UTF8,
                    method,
                    uri,
                    json,
                    bytes.toByteArray(),
                    key));
        }
        int huge = 190_000 - exampleText.length();
        for (var place : spread(places)) {
            for (var v : jsonValues(huge).entrySet()) {
                var copy = example.deepCopy();
                set(copy, place, v.getValue());
                String body = written(copy);
                if (v.getKey() == Kind.DEEP) body = body.replace("\"" + DEEP_PLACEHOLDER + "\"", DEEP);
                out.add(new Probe(route, "body:" + place.path(), v.getKey(), method, uri, json, utf8(body), key));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ judging the answers

    private static boolean accepted(Probe probe) {
        return ACCEPTED.stream()
                .anyMatch(a -> probe.route().matches(a.route())
                        && probe.where().matches(a.where())
                        && a.kinds().contains(probe.kind()));
    }

    /** Why an answer is not a refusal, or null when it is one. */
    private static String refusalProblem(Probe probe, HttpResponse<String> r) {
        int status = r.statusCode();
        if (status == 0) return describe(r);
        if (status >= 500) return "server error " + describe(r);
        if (status < 300) {
            // a batch answers 202 and lists each refused item: refused when none was accepted
            if (status == 202 && batch(probe.route()) && isAcceptedNone(r)) return null;
            return "accepted: " + describe(r);
        }
        if (status < 400) return "redirected: " + describe(r);
        if (!isProblem(r)) return "not a problem+json with a title: " + describe(r);
        return null;
    }

    private static boolean batch(String route) {
        return route.equals("POST /v1/track") || route.equals("POST /v1/messages");
    }

    private static boolean isAcceptedNone(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body()).path("accepted").asInt(-1) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isProblem(HttpResponse<String> r) {
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) return false;
        try {
            return !JSON.readTree(r.body()).path("title").asText().isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    private static String describe(HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body();
        return r.statusCode() + " " + r.headers().firstValue("Content-Type").orElse("") + " "
                + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }

    /** How many captured log events were searched already. */
    private int logged;

    /** Log events since the last look holding anything a hostile value carried, as failures of the probe. */
    private void logged(Probe probe, List<Failure> failures) {
        List<ILoggingEvent> events;
        synchronized (appender) {
            events = List.copyOf(appender.list.subList(logged, appender.list.size()));
        }
        logged += events.size();
        for (var event : events) {
            for (String text : texts(event)) {
                if (MARKS.stream().noneMatch(text::contains)) continue;
                String line = text.length() > 300 ? text.substring(0, 300) + "…" : text;
                failures.add(new Failure(
                        probe == null ? "log" : probe.route(),
                        probe == null ? null : probe.kind(),
                        (probe == null ? "" : probe.name() + ": ") + "logged by " + event.getLoggerName() + ": "
                                + line));
            }
        }
    }

    private static List<String> texts(ILoggingEvent event) {
        var out = new ArrayList<String>();
        out.add(event.getFormattedMessage());
        if (event.getArgumentArray() != null) {
            for (Object arg : event.getArgumentArray()) out.add(String.valueOf(arg));
        }
        event.getMDCPropertyMap().forEach((k, v) -> out.add(k + "=" + v));
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause())
            out.add(t.getClassName() + ": " + t.getMessage());
        return out;
    }

    // ------------------------------------------------------------------ storage and HTTP

    /** Row counts of every table, in one query. */
    private static Map<String, Long> counts(String jdbcUrl, List<String> tables) {
        String sql = tables.stream()
                .map(t -> "select '" + t + "', count(*) from \"" + t + "\"")
                .collect(Collectors.joining(" union all "));
        var out = new TreeMap<String, Long>();
        try (var c = DriverManager.getConnection(jdbcUrl);
                var s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count rows", e);
        }
        return out;
    }

    private static boolean onlyAudit(Map<String, Long> before, Map<String, Long> after) {
        return before.keySet().stream()
                .filter(t -> !before.get(t).equals(after.get(t)))
                .allMatch(t -> t.equals("audit_log"));
    }

    private static String changes(Map<String, Long> before, Map<String, Long> after) {
        return before.keySet().stream()
                .filter(t -> !before.get(t).equals(after.get(t)))
                .map(t -> t + " " + before.get(t) + "→" + after.get(t))
                .collect(Collectors.joining(", "));
    }

    private HttpResponse<String> send(Probe probe) {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe.uri()))
                .timeout(Duration.ofSeconds(30));
        if (probe.key() != null) b.header("Authorization", "Bearer " + probe.key());
        if (probe.body() != null) {
            b.header("Content-Type", probe.contentType());
            b.method(probe.method(), HttpRequest.BodyPublishers.ofByteArray(probe.body()));
        } else {
            b.method(probe.method(), HttpRequest.BodyPublishers.noBody());
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException stale) {
            // Jetty closes the connection after refusing a malformed request; the client may
            // already have pooled it again, and does not resend a POST on a fresh one by itself
            try {
                return HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build()
                        .send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                return noAnswer(b.build(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int port;

    /** The server closed the connection without an answer: a failure to report, as a status 0. */
    private static HttpResponse<String> noAnswer(HttpRequest request, IOException e) {
        return new HttpResponse<>() {
            public int statusCode() {
                return 0;
            }

            public HttpRequest request() {
                return request;
            }

            public java.util.Optional<HttpResponse<String>> previousResponse() {
                return java.util.Optional.empty();
            }

            public java.net.http.HttpHeaders headers() {
                return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
            }

            public String body() {
                return "no answer: " + e;
            }

            public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
                return java.util.Optional.empty();
            }

            public URI uri() {
                return request.uri();
            }

            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }

    // ------------------------------------------------------------------ JSON places

    /** A place in a body: its path as errors name it ({@code events[0].context.ip}), and its JSON pointer. */
    private record Place(String path, String pointer) {}

    /** Every place of a body holding a value. */
    private static List<Place> places(JsonNode node) {
        var out = new ArrayList<Place>();
        walk(node, new Place("", ""), out, false);
        return out;
    }

    /** The objects of a body (the body itself first), at most 8. */
    private static List<Place> objects(JsonNode node) {
        var out = new ArrayList<Place>();
        walk(node, new Place("", ""), out, true);
        return out.size() > 8 ? out.subList(0, 8) : out;
    }

    private static void walk(JsonNode node, Place at, List<Place> out, boolean objects) {
        if (node.isObject()) {
            if (objects) out.add(at);
            node.fields()
                    .forEachRemaining(e -> walk(
                            e.getValue(),
                            new Place(
                                    at.path().isEmpty() ? e.getKey() : at.path() + "." + e.getKey(),
                                    at.pointer() + "/"
                                            + e.getKey().replace("~", "~0").replace("/", "~1")),
                            out,
                            objects));
        } else if (node.isArray() && !node.isEmpty()) {
            for (int i = 0; i < node.size(); i++)
                walk(node.get(i), new Place(at.path() + "[" + i + "]", at.pointer() + "/" + i), out, objects);
        } else if (!objects) out.add(at);
    }

    /** At most {@link #PLACES_PER_BODY} places, spread over the body. */
    private static List<Place> spread(List<Place> places) {
        if (places.size() <= PLACES_PER_BODY) return places;
        var out = new ArrayList<Place>();
        for (int i = 0; i < PLACES_PER_BODY; i++) out.add(places.get(i * places.size() / PLACES_PER_BODY));
        return out;
    }

    private static void set(JsonNode root, Place place, JsonNode value) {
        String p = place.pointer();
        int cut = p.lastIndexOf('/');
        JsonNode parent = cut == 0 ? root : root.at(p.substring(0, cut));
        String last = p.substring(cut + 1).replace("~1", "/").replace("~0", "~");
        if (parent instanceof ArrayNode array) array.set(Integer.parseInt(last), value);
        else ((ObjectNode) parent).set(last, value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}
