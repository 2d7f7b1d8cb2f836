package dev.lethe.requests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonToken;
import dev.lethe.testing.Installation;
import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access package of a person with 100,000 events, each with a 200-character property, is
 * streamed by a real server whose heap is capped at 128 MB: the events alone are about 40 MB of
 * JSON (more than 100 MB as Java objects), so a package built in memory would not fit. The
 * answer is read as a stream too, and every event is counted.
 */
class LargePackageStreamsTest {

    private static final Logger log = LoggerFactory.getLogger(LargePackageStreamsTest.class);

    static final int EVENTS = 100_000;
    static final int BATCH = 1_000;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPackageOf100kEventsStreamsFromAServerWithA128MbHeap(TestDatabase engine) throws Exception {
        try (var installation = Installation.on(engine);
                var server = installation.start("128m")) {
            var http = server.http();
            String admin = http.post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Quokka\"}")
                    .json()
                    .get("adminKey")
                    .asText();
            assertThat(http.putYaml("/v1/policy", admin, TestPolicies.DATA_CORE).status())
                    .isEqualTo(201);
            http.post("/v1/identify", admin, """
                    {"identifiers": {"email": "zebulon@example.org"}, "visitorId": "laptop-1"}
                    """);
            String plan = "p".repeat(200);
            var events = new StringBuilder();
            for (int i = 0; i < BATCH; i++) {
                if (i > 0) events.append(',');
                events.append("{\"visitorId\": \"laptop-1\", \"type\": \"purchase\", \"properties\": {\"plan\": \"")
                        .append(plan)
                        .append("\"}}");
            }
            String batch = "{\"events\": [" + events + "]}";
            long ingest = System.nanoTime();
            for (int b = 0; b < EVENTS / BATCH; b++) {
                var r = http.post("/v1/track", admin, batch);
                assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(BATCH);
            }
            log.info("ingested {} events in {} ms", EVENTS, (System.nanoTime() - ingest) / 1_000_000);
            String id = http.post("/v1/requests", admin, """
                            {"type": "portability", "subject": {"email": "zebulon@example.org"}}
                            """).json().get("id").asText();

            long start = System.nanoTime();
            var response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + server.port() + "/v1/requests/" + id + "/package"))
                                    .header("Authorization", "Bearer " + admin)
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            var counted = count(response.body());
            long ms = (System.nanoTime() - start) / 1_000_000;
            log.info("streamed {} events ({} MB) in {} ms", counted.events(), counted.bytes() / 1_000_000, ms);

            assertThat(counted.events()).isEqualTo(EVENTS);
            assertThat(counted.bytes()).isGreaterThan(30_000_000L);
            assertThat(server.isAlive()).isTrue();
            assertThat(http.get("/v1/requests/" + id, admin)
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("completed");
        }
    }

    record Counted(long events, long bytes) {}

    /** Counts the objects of the package's events list as they arrive; holds none of them. */
    private static Counted count(InputStream body) throws IOException {
        var counting = new CountingStream(body);
        long events = 0;
        try (var p = new JsonFactory().createParser(counting)) {
            int depth = 0;
            boolean inEvents = false;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && depth == 1)
                    inEvents = p.currentName().equals("events");
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                    if (inEvents && depth == 3 && t == JsonToken.START_OBJECT) events++;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) depth--;
            }
        }
        return new Counted(events, counting.count);
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) count += n;
            return n;
        }
    }
}
