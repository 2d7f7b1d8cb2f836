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
     * The data core's policy: visitors and profiles; email, phone and name on profiles; IP address
     * (120 days) and visit history (1 year) from tracking; an optional shoe size that is switched
     * off; an IP address also arriving as a trait (traits.lastIp); events (2 years), complete
     * sessions and summaries. No name or address in it contains the test people's names, so raw
     * storage can be scanned for them.
     */
    public static final String DATA_CORE = """
      lethe: 1
      controller: { name: "Quokka Shop BV", contact: "privacy@quokka.example" }
      subjects:
        visitor: { description: "Anonymous website visitors" }
        profile: { description: "Identified customers" }
      categories:
        email_address:
          purpose: identification
          lawfulBasis: contract
          source: user_form
          subjects: [profile]
          retention: { period: P3Y, after: collected }
        phone_number:
          purpose: contact
          lawfulBasis: contract
          source: user_form
          required: false
          subjects: [profile]
          retention: { period: P3Y, after: collected }
        name:
          purpose: identification
          lawfulBasis: contract
          source: user_form
          required: false
          subjects: [profile]
          retention: { period: P3Y, after: collected }
        ip_address:
          purpose: security
          lawfulBasis: legitimate_interests
          source: tracking
          subjects: [visitor, profile]
          retention: { period: P120D, after: collected }
        visit_history:
          purpose: measurement
          lawfulBasis: legitimate_interests
          source: tracking
          subjects: [visitor, profile]
          retention: { period: P1Y, after: collected }
        shoe_size:
          purpose: personalisation
          lawfulBasis: legitimate_interests
          source: tracking
          required: false
          enabled: false
          subjects: [visitor, profile]
          retention: { period: P1Y, after: collected }
      fields:
        identifiers.email: email_address
        identifiers.phone: phone_number
        traits.name: name
        traits.lastIp: ip_address
        context.ip: ip_address
        context.url: visit_history
        context.referrer: visit_history
        properties.plan: visit_history
        properties.shoeSize: shoe_size
      records:
        complete_session: { kind: session, retention: { period: P14D, after: collected, then: summarise } }
        session_summary: { kind: session_summary, retention: { period: P1Y, after: collected } }
        event: { kind: event, retention: { period: P2Y, after: collected } }
      processors: []
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

    /** A shop importing customers: an email and an external id, a first name, a consent-based topic, a custom age. */
    public static final String IMPORTS = """
      lethe: 1
      controller: { name: "Wombat Imports BV", contact: "privacy@wombat.example" }
      subjects:
        profile: { description: "Customers" }
      categories:
        email_address:
          purpose: identification
          lawfulBasis: contract
          source: user_form
          subjects: [profile]
          retention: { period: P3Y, after: collected }
        name:
          purpose: identification
          lawfulBasis: contract
          source: user_form
          subjects: [profile]
          retention: { period: P3Y, after: collected }
        newsletter:
          purpose: marketing
          lawfulBasis: consent
          source: user_form
          subjects: [profile]
          required: false
          retention: { period: P1Y, after: collected }
      fields:
        identifiers.email: email_address
        identifiers.externalId: email_address
        traits.firstName: name
        traits.topic: newsletter
      customFields:
        age: { displayName: "Age", category: name, type: number }
      """;
}
