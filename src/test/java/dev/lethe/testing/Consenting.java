package dev.lethe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.TreeSet;

/**
 * Consent for tests whose subject is not consent: a visitor granted every purpose the account's
 * policy declares, under a privacy-policy version published long ago, so that the consent gate
 * lets a consent-based category through (promise 8 holds; the test is about something else).
 */
public final class Consenting {

    private Consenting() {}

    /** Grants {@code visitor} every purpose of the policy in force, at {@code at} (null: now). */
    public static void consentToEverything(Http http, String key, String visitor, Instant at) {
        var policy = http.get("/v1/policy", key).json();
        var purposes = new TreeSet<String>();
        var categories = policy.has("policy") ? policy.get("policy").get("categories") : policy.get("categories");
        categories.forEach(c -> purposes.add(c.get("purpose").asText()));
        var published = http.post("/v1/privacy-policies", key, """
                {"version": "seed", "url": "https://seed.example/privacy", "publishedAt": "2020-01-01T00:00:00Z"}
                """);
        assertThat(published.status()).as(published.toString()).isIn(201, 409);
        var body = new ObjectMapper().createObjectNode();
        body.putObject("subject").put("visitorId", visitor);
        body.put("policyVersion", "seed").put("source", "test");
        if (at != null) body.put("ts", at.toString());
        var granted = body.putObject("purposes");
        purposes.forEach(p -> granted.put(p, true));
        var r = http.post("/v1/consents", key, body.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }
}
