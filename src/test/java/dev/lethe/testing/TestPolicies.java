package dev.lethe.testing;

/** Policies tests share: small, valid, with recognisable names. */
public final class TestPolicies {

    private TestPolicies() {}

    /** One subject type, two categories, two session records, one processor outside the EEA. */
    public static final String SMALL = """
      lethe: 1
      controller: { name: "Zebulon Shop BV", contact: "privacy@zebulon.example" }
      subjects:
        visitor: { description: "Website visitors" }
      categories:
        email_address:
          purpose: identification
          lawfulBasis: contract
          source: user_form
          subjects: [visitor]
          retention: { period: P3Y, after: collected }
        ip_address:
          purpose: security
          lawfulBasis: legitimate_interests
          source: tracking
          subjects: [visitor]
          retention: { period: P120D }
      fields:
        traits.email: email_address
        context.ip: ip_address
      records:
        complete_session: { kind: session, retention: { period: P14D, then: summarise } }
        session_summary: { kind: session_summary, retention: { period: P1Y } }
      processors:
        - name: "Example Hosting Inc."
          address: "1 Example Street, Seattle, WA, USA"
          purpose: hosting
          location: US
          safeguards: [SCC]
          categories: { visitor: [email_address, ip_address] }
      """;

    /**
     * An operator's default policy, for the operator bounds: two subject types, two categories, a
     * message record counted from the conversation's start and a profile kept after the contract
     * ends or 18 months of inactivity.
     */
    public static final String PLATFORM_DEFAULT = """
      lethe: 1
      controller: { name: "Example Platform Ltd", contact: "privacy@platform.example" }
      subjects:
        visitor: { description: "Website visitors" }
        manager: { description: "Administrators" }
      categories:
        email_address:
          purpose: identification
          lawfulBasis: contract
          source: user_form
          subjects: [visitor, manager]
          retention: { period: P3Y, after: collected }
        ip_address:
          purpose: security
          lawfulBasis: legitimate_interests
          source: tracking
          subjects: [visitor]
          retention: { period: P120D, after: collected }
      fields:
        traits.email: email_address
        context.ip: ip_address
      records:
        chat_content: { kind: message, match: { product: conversations }, retention: { period: P6M, after: conversation_started } }
        profile: { kind: profile, retention: { period: P30D, after: [contract_ended, inactive P18M] } }
      """;
}
