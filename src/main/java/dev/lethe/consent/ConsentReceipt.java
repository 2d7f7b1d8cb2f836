package dev.lethe.consent;

import dev.lethe.registry.Category;
import dev.lethe.registry.Policy;
import dev.lethe.registry.Processor;
import java.util.ArrayList;
import java.util.List;

/**
 * A consent receipt in the shape of the Kantara Initiative Consent Receipt (v1.1), the model
 * ISO/IEC TS 27560 builds on: who the controller is, whose consent, when, how it was collected,
 * under which policy, and per purpose what was consented to, which categories of data it covers,
 * who else receives them, and how it ends. Ids, names and the policy's words only: no personal
 * value (the person is their profile id).
 */
public record ConsentReceipt(
        String version,
        String jurisdiction,
        long consentTimestamp,
        String collectionMethod,
        String consentReceiptID,
        String language,
        String piiPrincipalId,
        List<PiiController> piiControllers,
        String policyUrl,
        String policyVersion,
        List<Service> services,
        boolean sensitive,
        List<String> spiCat,
        Proof proof) {

    /** The receipt format's version. */
    public static final String VERSION = "KI-CR-v1.1.0";

    /** The controller as the policy names it. */
    public record PiiController(String piiController, String contact, String address, String email) {}

    /** The account's processing, with the purposes the consent covers. */
    public record Service(String service, List<Purpose> purposes) {}

    /**
     * One purpose: given or withdrawn ({@code consentGiven}), explicit, the categories of data it
     * covers, whether they are disclosed to third parties and to whom, and how it ends.
     */
    public record Purpose(
            String purpose,
            boolean consentGiven,
            List<String> purposeCategory,
            String consentType,
            List<String> piiCategory,
            boolean primaryPurpose,
            String termination,
            boolean thirdPartyDisclosure,
            List<String> thirdPartyName) {}

    /** The proof collected with the consent: the form's version, a keyed hash of the address. */
    public record Proof(String form, String ipHash, String recordedAt) {}

    static final String TERMINATION =
            "Until withdrawn (POST /v1/consents with the purpose false, or an objection request); what was"
                    + " stored under the consent is deleted at the next retention sweep.";

    static ConsentReceipt of(Consent c, Policy policy, String policyUrl) {
        var purposes = new ArrayList<Purpose>();
        c.purposes().forEach((name, given) -> {
            var categories = new ArrayList<String>();
            if (policy != null)
                for (Category cat : policy.categories().values())
                    if (name.equals(cat.purpose())) categories.add(cat.name());
            var receivers = new ArrayList<String>();
            if (policy != null)
                for (Processor p : policy.processors())
                    // a processor not active when consent was given (effectiveFrom ahead) received nothing under it
                    if (p.activeAt(c.consentedAt())
                            && p.categories().values().stream()
                                    .flatMap(List::stream)
                                    .anyMatch(categories::contains)) receivers.add(p.name());
            purposes.add(new Purpose(
                    name,
                    given,
                    List.of(name),
                    "EXPLICIT",
                    categories,
                    false,
                    given ? TERMINATION : "Withdrawn at " + c.consentedAt(),
                    !receivers.isEmpty(),
                    receivers));
        });
        var controller = policy == null ? null : policy.controller();
        return new ConsentReceipt(
                VERSION,
                controller == null || controller.region() == null ? "EU" : controller.region(),
                c.consentedAt().getEpochSecond(),
                c.source(),
                c.consentId(),
                "en",
                c.subjectId(),
                controller == null
                        ? List.of()
                        : List.of(new PiiController(
                                controller.name(), controller.contact(), controller.address(), controller.contact())),
                policyUrl,
                c.policyVersion(),
                List.of(new Service(controller == null ? "" : controller.name(), purposes)),
                false,
                List.of(),
                new Proof(c.proofForm(), c.proofIpHash(), c.recordedAt().toString()));
    }
}
