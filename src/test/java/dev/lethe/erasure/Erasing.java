package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestPolicies;

/** What the erasure tests share: a policy under which a person has rows in every table, and such a person. */
final class Erasing {

    private Erasing() {}

    /** The data core's policy with messages (content and attachments sealed) and tags. */
    static final String POLICY = TestPolicies.DATA_CORE
            .replace("  ip_address:\n", """
                      message_content:
                        purpose: contact
                        lawfulBasis: contract
                        source: api
                        subjects: [visitor, profile]
                        retention: { period: P6M, after: collected }
                      media_attachments:
                        purpose: contact
                        lawfulBasis: contract
                        source: api
                        subjects: [visitor, profile]
                        retention: { period: P1Y, after: collected }
                      ip_address:
                    """)
            .replace("  traits.name: name\n", """
                      traits.name: name
                      traits.tags: visit_history
                      message.content: message_content
                      message.attachments: media_attachments
                    """)
            .replace("records:\n", """
                    records:
                      message: { kind: message, retention: { period: P6M } }
                      media: { kind: media, retention: { period: P1Y } }
                    """);

    static final String EMAIL = "zebulon.erased@example.org";
    static final String PHONE = "+32 471 99 88 77";
    static final String PHONE_NORMALISED = "+32471998877";
    static final String IP = "198.51.100.77";
    static final String NAME = "Zebulon Erasmus";
    static final String CONTENT = "zebulon-secret-content";
    static final String ATTACHMENT = "zebulon-photo-bytes";

    /** The values of the person {@link #person} makes, each of which must be gone after the erasure. */
    static final java.util.List<String> VALUES =
            java.util.List.of(EMAIL, PHONE, PHONE_NORMALISED, IP, NAME, CONTENT, ATTACHMENT, "laptop-zebulon");

    /** An account under {@link #POLICY}, with a filterable custom field and a goal; its admin key. */
    static String account(dev.lethe.testing.TestLethe lethe, dev.lethe.testing.TestLethe.Tenant a) {
        return account(lethe.http(), a.adminKey());
    }

    /** {@link #account} for an admin key on any server. */
    static String account(Http http, String adminKey) {
        var a = new dev.lethe.testing.TestLethe.Tenant(null, adminKey);
        var put = http.putYaml("/v1/policy", a.adminKey(), POLICY);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        var field = http.post("/v1/fields", a.adminKey(), """
                {"key": "tier", "displayName": "Loyalty tier", "category": "visit_history", "filterable": true}
                """);
        assertThat(field.status()).as(field.toString()).isEqualTo(201);
        var goal = http.post("/v1/goals", a.adminKey(), """
                {"name": "Pro purchase", "eventType": "purchase", "match": {"plan": "pro"}}
                """);
        assertThat(goal.status()).as(goal.toString()).isEqualTo(201);
        return a.adminKey();
    }

    /** The track batch of the person's visit, sent again by a retrying SDK after the erasure. */
    static String visit(String visitor, String ip) {
        return """
                {"events": [
                  {"visitorId": "%1$s", "sessionId": "visit-%1$s", "type": "page_view",
                   "context": {"ip": "%2$s", "url": "https://shop.example/%1$s"}},
                  {"visitorId": "%1$s", "sessionId": "visit-%1$s", "type": "purchase", "properties": {"plan": "pro"}}
                ]}
                """.formatted(visitor, ip);
    }

    /**
     * A person who visited, identified with an email, a phone and a name, was tagged and got a
     * message with an attachment in a conversation; their profile id.
     */
    static String person(Http http, String key, String visitor, String email, String phone, String name) {
        var track = http.post("/v1/track", key, visit(visitor, IP));
        assertThat(track.json().get("accepted").asInt()).as(track.toString()).isEqualTo(2);
        var identify = http.post("/v1/identify", key, """
                {"visitorId": "%s", "identifiers": {"email": "%s", "phone": "%s"},
                 "traits": {"name": "%s", "tier": "gold"}}
                """.formatted(visitor, email, phone, name));
        assertThat(identify.status()).as(identify.toString()).isIn(200, 201);
        String profile = identify.json().get("profileId").asText();
        var tags = http.post("/v1/profiles/" + profile + "/tags", key, "{\"add\": [\"vip\"]}");
        assertThat(tags.status()).as(tags.toString()).isEqualTo(200);
        var message = http.post("/v1/messages", key, """
                {"messages": [{"subject": {"profileId": "%s"}, "channel": "email", "direction": "inbound",
                  "conversationId": "conv-%s", "content": "%s",
                  "attachments": [{"name": "photo.jpg", "data": "%s"}]}]}
                """.formatted(profile, visitor, CONTENT, ATTACHMENT));
        assertThat(message.json().get("accepted").asInt())
                .as(message.toString())
                .isEqualTo(1);
        return profile;
    }
}
