package dev.lethe.notices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyReader;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;

/** A recognisable policy and helpers to read the notices printed from it. */
final class NoticeFixtures {

    static final NoticeContext CONTEXT = new NoticeContext(null, 7, Instant.parse("2026-03-14T09:26:53Z"));

    static final String POLICY = """
      lethe: 1
      controller: { name: "Zebulon Advocacy NV", contact: "privacy@zebulon.example.org", address: "Zebulonstraat 1, Gent, BE" }
      subjects:
        advocate: { description: "Community members who share content" }
        manager:  { description: "Admins who publish content" }
      categories:
        email_address:
          description: "Login and primary contact"
          purpose: identification
          lawfulBasis: contract
          source: user_form
          subjects: [advocate, manager]
          retention: { period: P3Y, after: collected }
        ip_address:
          title: "IP address"
          description: "Stored for debugging <script>alert('zebulon')</script> | not a column"
          purpose: identification
          lawfulBasis: legitimate_interests
          source: api
          subjects: [advocate, manager]
          retention: { period: P120D, after: collected }
          bySubject:
            manager: { source: user_form, retention: { period: P1Y, after: collected } }
        birth_date:
          purpose: segmentation
          lawfulBasis: consent
          source: user_form
          required: false
          subjects: [advocate]
          retention: { period: P2Y, after: [contract_ended, inactive P18M] }
        shoe_size:
          title: "zebulon shoe size"
          purpose: segmentation
          lawfulBasis: consent
          source: user_form
          required: false
          enabled: false
          subjects: [advocate]
          retention: { period: P2Y, after: collected }
      records:
        complete_session: { kind: session, title: "Complete sessions", retention: { period: P14D, after: collected, then: summarise } }
        chat_content:
          kind: message
          title: "Chat content"
          match: { product: [answers, conversations] }
          retention: { period: P6M, after: conversation_started }
        email_content_smtp:
          kind: message
          title: "Email content"
          match: { channel: email, api: smtp }
          retention: { period: P7D, after: collected }
        email_content_http:
          kind: message
          title: "Scheduled email content"
          match: { channel: email, api: http }
          retention: { period: P2D, after: sent }
        campaigns:
          kind: campaign
          title: "Campaigns"
          retention: { period: P3M, after: campaign_ended }
        traffic:
          kind: traffic
          title: "Traffic records"
          retention: { period: P12M, after: collected, then: anonymise }
        audit_copies:
          kind: document
          title: "Erasure receipts"
          retention: { period: P0D, after: erased }
        profile:
          kind: profile
          title: "Profiles"
          retention: { period: P30D, after: [contract_ended, inactive P18M] }
      processors:
        - name: "Zebulon Hosting Inc."
          address: "1 Example Street, Seattle, WA, USA"
          purpose: hosting
          location: US
          safeguards: [SCC]
          measures: "https://hosting.example.org/toms"
          categories: { advocate: [email_address, ip_address], manager: [ip_address] }
        - name: "Zebulon Texts BV"
          address: "Zebulonkade 2, Amsterdam, NL"
          purpose: "text message delivery"
          location: NL
          measures: "Encryption in transit and at rest"
          required: false
          categories: { advocate: [birth_date, shoe_size] }
      cookies:
        - { name: zebulon_session, provider: "Zebulon Advocacy NV", category: required, duration: session, purpose: "keeps you logged in" }
        - { name: _ga, provider: "Google Analytics", category: performance, duration: P1Y, purpose: "site usage statistics" }
        - { name: IDE, provider: "Google DoubleClick", category: targeting, duration: P540D, purpose: "advertising" }
        - { name: zebulon_lang, provider: "Zebulon Advocacy NV", category: functionality, duration: P6M, purpose: "remembers your language" }
      """;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private NoticeFixtures() {}

    /** Reads a policy that must be valid; the assertion message lists every error otherwise. */
    static Policy policy(String yaml) {
        var result = PolicyReader.read(yaml);
        assertThat(result.errors()).as("errors reading the test policy").isEmpty();
        return result.policy();
    }

    static Policy policy() {
        return policy(POLICY);
    }

    static String render(Policy policy, NoticeKind kind, NoticeFormat format) {
        return new Notices().render(policy, kind, format, CONTEXT);
    }

    static JsonNode json(Policy policy, NoticeKind kind) {
        try {
            return MAPPER.readTree(render(policy, kind, NoticeFormat.JSON));
        } catch (Exception e) {
            throw new AssertionError("the " + kind + " notice is not JSON", e);
        }
    }

    /** The rows of the section with {@code key}. */
    static List<JsonNode> rows(JsonNode notice, String sectionKey) {
        return StreamSupport.stream(notice.get("sections").spliterator(), false)
                .filter(s -> s.get("key").asText().equals(sectionKey))
                .findFirst()
                .map(s ->
                        StreamSupport.stream(s.get("rows").spliterator(), false).toList())
                .orElseThrow(() -> new AssertionError("no section " + sectionKey + " in " + notice));
    }

    static JsonNode row(JsonNode notice, String sectionKey, String id) {
        return rows(notice, sectionKey).stream()
                .filter(r -> r.get("id").asText().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row " + id + " in section " + sectionKey));
    }

    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }
}
