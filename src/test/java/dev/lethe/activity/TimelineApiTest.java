package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A person's timeline: GET /v1/profiles/{id}/events and /messages. */
class TimelineApiTest {

    /** The data core's policy with messages: content, attachments and traffic data of profiles. */
    static final String POLICY =
            TestPolicies.DATA_CORE.replace("""
                      shoe_size:
                    """, """
                      message_text:
                        purpose: communication
                        lawfulBasis: contract
                        source: api
                        subjects: [profile]
                        retention: { period: P1Y, after: collected }
                      message_files:
                        purpose: communication
                        lawfulBasis: contract
                        source: api
                        subjects: [profile]
                        retention: { period: P1Y, after: collected }
                      message_routing:
                        purpose: communication
                        lawfulBasis: legal_obligation
                        source: api
                        subjects: [profile]
                        retention: { period: P1Y, after: collected }
                      shoe_size:
                    """).replace("""
                      properties.shoeSize: shoe_size
                    """, """
                      properties.shoeSize: shoe_size
                      message.content: message_text
                      message.attachments: message_files
                      traffic.from: message_routing
                      traffic.to: message_routing
                    """).replace("""
                      event: { kind: event, retention: { period: P2Y, after: collected } }
                    """, """
                      event: { kind: event, retention: { period: P2Y, after: collected } }
                      message: { kind: message, retention: { period: P1Y, after: collected } }
                      media: { kind: media, retention: { period: P1Y, after: collected } }
                    """);

    private static String profileOf(JsonNode identified) {
        return identified.get("profileId").asText();
    }

    /** Every record of a list, page after page of {@code limit}; checks each page's size. */
    private static List<JsonNode> allPages(TestLethe lethe, String key, String path, String list, int limit) {
        var out = new ArrayList<JsonNode>();
        String cursor = null;
        for (int pages = 0; pages < 50; pages++) {
            var r = lethe.http()
                    .get(
                            path + (path.contains("?") ? "&" : "?") + "limit=" + limit
                                    + (cursor == null ? "" : "&cursor=" + cursor),
                            key);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            var records = r.json().get(list);
            records.forEach(out::add);
            var next = r.json().get("nextCursor");
            if (next.isNull()) {
                assertThat(records.size()).isLessThanOrEqualTo(limit);
                return out;
            }
            assertThat(records.size()).isEqualTo(limit);
            cursor = next.asText();
        }
        throw new AssertionError("more than 50 pages");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aProfilesEventsComeNewestFirstDecryptedWithItsDevicesAndMergedProfilesAcrossPagesOfSameInstantTies(
            TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            Instant now = lethe.clock().instant();
            Instant early = now.minus(Duration.ofDays(3));
            Instant tie = now.minus(Duration.ofDays(2));
            // three anonymous events at one instant, before the laptop identifies
            var r = http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%1$s", "context": {"url": "https://shop.example/zebulon-1", "ip": "203.0.113.7"}},
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%1$s", "context": {"url": "https://shop.example/zebulon-2"}},
                      {"visitorId": "laptop-1", "type": "add_to_cart", "ts": "%1$s", "properties": {"plan": "gold-zebulon"}}
                    ]}
                    """.formatted(tie));
            assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(3);
            String profile =
                    profileOf(http.post("/v1/identify", a.adminKey(), """
                            {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                            """).json());
            // two more at one later instant, on the same device, now the profile's
            http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "signup", "ts": "%1$s", "properties": {"plan": "platinum-zebulon"}},
                      {"visitorId": "laptop-1", "type": "page_view", "ts": "%1$s"}
                    ]}
                    """.formatted(now));
            // another profile with an older event, merged into the first
            http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "phone-1", "type": "page_view", "ts": "%s", "context": {"url": "https://shop.example/zebulon-old"}}]}
                    """.formatted(early));
            String other =
                    profileOf(http.post("/v1/identify", a.adminKey(), """
                            {"visitorId": "phone-1", "identifiers": {"phone": "+32 471 23 45 67"}}
                            """).json());
            assertThat(http.post("/v1/profiles/" + profile + "/merge", a.adminKey(), "{\"from\": \"" + other + "\"}")
                            .status())
                    .isEqualTo(200);
            // a stranger's event is not this profile's
            http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "stranger-1", "type": "page_view", "ts": "%s"}]}
                    """.formatted(now));

            var events = allPages(lethe, a.adminKey(), "/v1/profiles/" + profile + "/events", "events", 2);

            assertThat(events).hasSize(6);
            assertThat(events.stream().map(e -> e.get("id").asText()).distinct())
                    .hasSize(6);
            assertThat(events.stream().map(e -> e.get("ts").asText()))
                    .containsExactly(
                            now.toString(),
                            now.toString(),
                            tie.toString(),
                            tie.toString(),
                            tie.toString(),
                            early.toString());
            var signup = events.stream()
                    .filter(e -> e.get("type").asText().equals("signup"))
                    .findFirst()
                    .orElseThrow();
            assertThat(signup.at("/properties/plan").asText()).isEqualTo("platinum-zebulon");
            assertThat(events.stream().map(e -> e.at("/context/url").asText()))
                    .contains(
                            "https://shop.example/zebulon-1",
                            "https://shop.example/zebulon-2",
                            "https://shop.example/zebulon-old");
            assertThat(events.stream().map(e -> e.at("/context/ip").asText())).contains("203.0.113.7");
            // paged with another page size, the same list in the same order
            assertThat(allPages(lethe, a.adminKey(), "/v1/profiles/" + profile + "/events", "events", 1).stream()
                            .map(e -> e.get("id").asText()))
                    .containsExactlyElementsOf(
                            events.stream().map(e -> e.get("id").asText()).toList());

            // filters: type, and a time range (from inclusive, to exclusive)
            var signups = http.get("/v1/profiles/" + profile + "/events?type=signup", a.adminKey())
                    .json()
                    .get("events");
            assertThat(signups).hasSize(1);
            var ranged = http.get("/v1/profiles/" + profile + "/events?from=" + tie + "&to=" + now, a.adminKey())
                    .json()
                    .get("events");
            assertThat(ranged).hasSize(3);
            assertThat(ranged.findValuesAsText("ts")).containsOnly(tie.toString());

            // each read audited: which profile and how many records, never a value
            var audit = http.get("/v1/audit?action=profile.events.read", a.adminKey())
                    .json()
                    .get("entries");
            assertThat(audit).isNotEmpty();
            assertThat(audit.get(0).get("targets").toString()).contains("profile:" + profile);
            assertThat(audit.get(0).at("/detail/records").asInt()).isEqualTo(2);
            assertThat(audit.toString().toLowerCase(Locale.ROOT)).doesNotContain("zebulon", "203.0.113.7");
            // and nothing readable at rest
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .filteredOn(c -> c.text().toLowerCase(Locale.ROOT).contains("zebulon")
                            || c.text().contains("203.0.113.7"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aProfilesMessagesComeNewestFirstWithContentAttachmentsAndTrafficDecrypted(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            Instant now = lethe.clock().instant();
            Instant tie = now.minus(Duration.ofHours(5));
            String profile = profileOf(
                    http.post("/v1/identify", a.adminKey(), "{\"identifiers\": {\"email\": \"zebulon@example.org\"}}")
                            .json());
            String other = profileOf(
                    http.post("/v1/identify", a.adminKey(), "{\"identifiers\": {\"phone\": \"+32 471 23 45 67\"}}")
                            .json());
            var r = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"email": "zebulon@example.org"}, "subjectType": "profile", "channel": "email", "direction": "outbound",
                       "ts": "%1$s", "content": "Zebulon, your parcel left", "status": "delivered",
                       "traffic": {"from": "shop@quokka.example", "to": "zebulon@example.org"},
                       "attachments": [{"name": "zebulon-invoice.pdf"}]},
                      {"subject": {"email": "zebulon@example.org"}, "subjectType": "profile", "channel": "email", "direction": "inbound",
                       "ts": "%1$s", "content": "Zebulon says thanks"},
                      {"subject": {"profileId": "%2$s"}, "subjectType": "profile", "channel": "sms", "direction": "outbound",
                       "ts": "%3$s", "content": "Zebulon, your code is 1234"},
                      {"subject": {"profileId": "%4$s"}, "subjectType": "profile", "channel": "sms", "direction": "outbound",
                       "ts": "%3$s", "content": "Zebulon merged-in hello"}
                    ]}
                    """.formatted(tie, profile, now, other));
            assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(4);
            assertThat(http.post("/v1/profiles/" + profile + "/merge", a.adminKey(), "{\"from\": \"" + other + "\"}")
                            .status())
                    .isEqualTo(200);

            var messages = allPages(lethe, a.adminKey(), "/v1/profiles/" + profile + "/messages", "messages", 1);

            assertThat(messages.stream().map(m -> m.get("ts").asText()))
                    .containsExactly(now.toString(), now.toString(), tie.toString(), tie.toString());
            assertThat(messages.stream().map(m -> m.get("content").asText()))
                    .containsExactlyInAnyOrder(
                            "Zebulon, your parcel left",
                            "Zebulon says thanks",
                            "Zebulon, your code is 1234",
                            "Zebulon merged-in hello");
            var parcel = messages.stream()
                    .filter(m -> m.get("content").asText().contains("parcel"))
                    .findFirst()
                    .orElseThrow();
            assertThat(parcel.at("/traffic/to").asText()).isEqualTo("zebulon@example.org");
            assertThat(parcel.at("/attachments/0/name").asText()).isEqualTo("zebulon-invoice.pdf");
            assertThat(parcel.get("channel").asText()).isEqualTo("email");
            assertThat(parcel.get("status").asText()).isEqualTo("delivered");
            var earlier = http.get("/v1/profiles/" + profile + "/messages?to=" + now, a.adminKey())
                    .json()
                    .get("messages");
            assertThat(earlier).hasSize(2);
            var audit = http.get("/v1/audit?action=profile.messages.read", a.adminKey())
                    .json()
                    .get("entries");
            assertThat(audit).hasSizeGreaterThanOrEqualTo(5);
            assertThat(audit.toString().toLowerCase(Locale.ROOT)).doesNotContain("zebulon", "parcel");
            assertThat(RawStorage.cells(lethe.jdbcUrl()))
                    .filteredOn(c -> c.text().toLowerCase(Locale.ROOT).contains("zebulon")
                            || c.text().contains("shop@quokka"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theTimelineIsTheAccountsOwnNeedsReadScopeAndSaysWhatIsWrongWithAQuery(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            http.putYaml("/v1/policy", b.adminKey(), POLICY);
            String profile =
                    profileOf(http.post("/v1/identify", a.adminKey(), """
                            {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"}}
                            """).json());
            http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}, {"visitorId": "laptop-1", "type": "page_view"}]}
                    """);
            String read = lethe.createKey(a.adminKey(), "read").key();
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();
            String base = "/v1/profiles/" + profile;

            assertThat(http.get(base + "/events", read).json().get("events")).hasSize(2);
            for (String list : List.of("/events", "/messages")) {
                assertThat(http.get(base + list, b.adminKey()).status()).isEqualTo(404);
                assertThat(http.get("/v1/profiles/0190a5b2-0000-7000-8000-000000000000" + list, read)
                                .status())
                        .isEqualTo(404);
                assertThat(http.get("/v1/profiles/not-an-id" + list, read).status())
                        .isEqualTo(404);
                assertThat(http.get(base + list, ingest).status()).isEqualTo(403);
                assertThat(http.get(base + list, null).status()).isEqualTo(401);
                var bad = http.get(base + list + "?cursor=zzz&limit=0", read);
                assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
                assertThat(http.get(base + list + "?from=yesterday", read)
                                .json()
                                .at("/errors/0/path")
                                .asText())
                        .isEqualTo("from");
            }
            var all = http.get(base + "/events?from=yesterday&to=never&limit=0&cursor=zzz&type=a%40b.c", read);
            assertThat(all.status()).as(all.toString()).isEqualTo(400);
            assertThat(all.json().get("errors").findValuesAsText("path"))
                    .containsExactlyInAnyOrder("from", "to", "limit", "cursor", "type");
            var cursorProblem = http.get(base + "/events?cursor=zzz", read);
            assertThat(cursorProblem.status()).isEqualTo(400);
            assertThat(cursorProblem.json().at("/errors/0/path").asText()).isEqualTo("cursor");
            String eventsCursor = http.get(base + "/events?limit=1", read)
                    .json()
                    .get("nextCursor")
                    .asText();
            assertThat(http.get(base + "/messages?cursor=" + eventsCursor, read)
                            .json()
                            .at("/errors/0/path")
                            .asText())
                    .isEqualTo("cursor");
            // a cursor belongs to its list: this person's events, with these filters
            String other = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "yolanda@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            for (String elsewhere : List.of(
                    "/v1/profiles/" + other + "/events?cursor=" + eventsCursor,
                    base + "/events?type=signup&cursor=" + eventsCursor,
                    base + "/events?from=2026-01-01T00:00:00Z&cursor=" + eventsCursor)) {
                var refused = http.get(elsewhere, read);
                assertThat(refused.status()).as(elsewhere + " " + refused).isEqualTo(400);
                assertThat(refused.json().at("/errors/0/path").asText()).isEqualTo("cursor");
            }
            assertThat(http.get(base + "/events?limit=1&cursor=" + eventsCursor, read)
                            .status())
                    .isEqualTo(200);
            var nul = http.get(base + "/events?type=page%00view", read);
            assertThat(nul.status()).as(nul.toString()).isEqualTo(400);
            assertThat(nul.json().at("/errors/0/path").asText()).isEqualTo("type");

            // the routes are documented
            String openApi = http.get("/openapi.json", null).body();
            assertThat(openApi).contains("/v1/profiles/{id}/events", "/v1/profiles/{id}/messages");

            // a shredded profile answers as the profile itself does
            var admin = new Caller(a.id(), TestLethe.keyIdOf(a.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");
            assertThat(lethe.lethe().profiles().shredding().shred(admin, profile))
                    .isTrue();
            int viewStatus = http.get(base, read).status();
            assertThat(viewStatus).isEqualTo(410);
            assertThat(http.get(base + "/events", read).status()).isEqualTo(viewStatus);
            assertThat(http.get(base + "/messages", read).status()).isEqualTo(viewStatus);
        }
    }
}
