package dev.lethe.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.testing.Consenting;
import dev.lethe.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;

/** What the sweep tests share: sweeping over HTTP, reading a rule's line of the report, time steps. */
final class Sweeping {

    private Sweeping() {}

    /** A live sweep now, which must succeed; its report. */
    static JsonNode sweep(Http http, String key) {
        var r = http.post("/v1/sweeps", key, "{}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).as(r.toString()).isEqualTo("succeeded");
        return r.json();
    }

    /** The report's line for one rule. */
    static JsonNode rule(JsonNode report, String name) {
        for (var r : report.get("rules")) if (r.get("rule").asText().equals(name)) return r;
        throw new AssertionError("no rule " + name + " in " + report);
    }

    /** What one rule of the report affected. */
    static long affected(JsonNode report, String name) {
        return rule(report, name).get("affected").asLong();
    }

    /** The report's rules without their timings, to compare two reports. */
    static JsonNode withoutTimes(JsonNode rules) {
        var copy = (ArrayNode) rules.deepCopy();
        copy.forEach(r -> ((ObjectNode) r).remove("millis"));
        return copy;
    }

    /** {@code at} plus a calendar period, in UTC (as rules count). */
    static Instant plus(Instant at, String period) {
        return at.atZone(ZoneOffset.UTC).plus(Period.parse(period)).toInstant();
    }

    /** An object of name/value pairs, as JSON text. */
    static String json(Object... pairs) {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) node.putPOJO((String) pairs[i], pairs[i + 1]);
        return node.toString();
    }

    /** A file of the repository, as text. */
    static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every purpose the policy declares granted for {@code visitor} (see {@link Consenting}). */
    static void consentToEverything(Http http, String key, String visitor) {
        Consenting.consentToEverything(http, key, visitor, null);
    }

    /** As {@link #consentToEverything(Http, String, String)}, given at {@code at} (null: now). */
    static void consentToEverything(Http http, String key, String visitor, Instant at) {
        Consenting.consentToEverything(http, key, visitor, at);
    }
}
