package dev.lethe;

import static dev.lethe.testing.TestLethe.keyIdOf;
import static dev.lethe.testing.TestLethe.secretOf;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Logs never hold personal values, query strings, bodies or keys (DESIGN.md, Observability): a
 * request line names the method, the route template, the status and the account and key ids.
 */
class LogPrivacyTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level rootLevel;
    private TestLethe lethe;

    @BeforeEach
    void captureLogs() {
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        lethe = new TestLethe(new TestDatabase("h2", "jdbc:h2:mem:"));
    }

    @AfterEach
    void stopCapturing() {
        try {
            lethe.close();
        } finally {
            root.setLevel(rootLevel);
            root.detachAppender(appender);
            appender.stop();
        }
    }

    @Test
    void requestLinesNameRouteStatusAndAccountButNeverQueriesBodiesOrKeys() {
        Http http = lethe.http();
        var a = lethe.createAccount("Zebulon Shop");
        String readKey = http.post(
                        "/v1/keys", a.adminKey(), "{\"scopes\":[\"read\"],\"label\":\"zebulon@example.org\"}")
                .json()
                .get("key")
                .asText();

        var responses = new ArrayList<Http.Response>();
        responses.add(http.putYaml("/v1/policy", a.adminKey(), TestPolicies.SMALL));
        responses.add(http.get("/v1/policy?email=zebulon%40example.org", a.adminKey()));
        responses.add(http.get("/v1/policy?format=yaml", readKey));
        responses.add(http.get("/v1/profiles?email=zebulon%40example.org", a.adminKey()));
        responses.add(http.get("/v1/audit?actor=zebulon%40example.org", a.adminKey()));
        responses.add(http.putYaml(
                "/v1/policy", a.adminKey(), TestPolicies.SMALL.replace("period: P3Y", "period: zebulon@example.org")));
        responses.add(http.post("/v1/keys", a.adminKey(), "{\"scopes\": [\"zebulon@example.org\"]"));
        responses.add(http.get("/v1/nowhere/zebulon@example.org?email=zebulon%40example.org", a.adminKey()));
        responses.add(http.get("/v1/policy?email=zebulon%40example.org", "lethe_zebulon_examplexorgexamplexorg"));
        responses.add(http.get("/v1/accounts", TestLethe.OPERATOR_KEY));
        assertThat(responses)
                .extracting(Http.Response::status)
                .containsExactly(201, 400, 200, 200, 200, 422, 400, 404, 401, 200);

        var requestLines = awaitRequestLines(2 + responses.size());

        for (ILoggingEvent event : events()) {
            for (String text : texts(event)) {
                assertThat(text)
                        .as("log event from %s: %s", event.getLoggerName(), event.getFormattedMessage())
                        .doesNotContainIgnoringCase("zebulon")
                        .doesNotContain("example.org")
                        .doesNotContain("email=")
                        .doesNotContain("format=yaml")
                        .doesNotContain(a.adminKey())
                        .doesNotContain(secretOf(a.adminKey()))
                        .doesNotContain(readKey)
                        .doesNotContain(secretOf(readKey))
                        .doesNotContain(TestLethe.OPERATOR_KEY);
            }
        }
        assertThat(requestLines)
                .anySatisfy(line -> assertThat(line)
                        .contains(
                                "method=PUT",
                                "route=/v1/policy",
                                "status=201",
                                "account=" + a.id(),
                                "key=" + keyIdOf(a.adminKey())))
                .anySatisfy(line -> assertThat(line)
                        .contains(
                                "method=GET",
                                "route=/v1/policy",
                                "status=200",
                                "account=" + a.id(),
                                "key=" + keyIdOf(readKey)))
                .anySatisfy(line ->
                        assertThat(line).contains("method=PUT", "route=/v1/policy", "status=422", "account=" + a.id()))
                .anySatisfy(line -> assertThat(line).contains("method=GET", "route=unmatched", "status=404"))
                .anySatisfy(line -> assertThat(line).contains("method=GET", "route=/v1/policy", "status=401"));
    }

    /** The access-log line is written after the response, so wait for it (no clock involved). */
    private List<String> awaitRequestLines(int expected) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<String> lines;
        do {
            lines = events().stream()
                    .filter(e -> e.getLoggerName().equals("dev.lethe.http.HttpServer"))
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("request "))
                    .toList();
            if (lines.size() >= expected) return lines;
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("expected " + expected + " request lines, got " + lines);
    }

    private List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** Everything an encoder could print from an event. */
    private static List<String> texts(ILoggingEvent event) {
        var out = new ArrayList<String>();
        out.add(event.getFormattedMessage());
        if (event.getArgumentArray() != null) {
            for (Object arg : event.getArgumentArray()) out.add(String.valueOf(arg));
        }
        if (event.getKeyValuePairs() != null) event.getKeyValuePairs().forEach(kv -> out.add(kv.key + "=" + kv.value));
        event.getMDCPropertyMap().forEach((k, v) -> out.add(k + "=" + v));
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause())
            out.add(t.getClassName() + ": " + t.getMessage());
        return out;
    }
}
