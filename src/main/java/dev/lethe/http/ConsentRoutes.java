package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.consent.Consent;
import dev.lethe.consent.ConsentReceipt;
import dev.lethe.consent.Consents;
import dev.lethe.consent.PrivacyPolicyVersion;
import dev.lethe.input.JsonFields;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Privacy-policy versions, consents, their receipts and a profile's consent history over HTTP. */
final class ConsentRoutes {

    /** The keys that name whom a consent is about: exactly one of them. */
    private static final List<String> SUBJECT_KEYS = List.of("email", "phone", "externalId", "visitorId", "profileId");

    private final Consents consents;

    ConsentRoutes(Consents consents) {
        this.consents = consents;
    }

    void register(Api api) {
        api.route(POST, "/v1/privacy-policies")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Publish a privacy-policy version {version, url, publishedAt, material?, requiresReconsent?}: consents are given under a version; one requiring re-consent makes earlier consents not current from its publication")
                .body(PolicyBody.class)
                .returns(201)
                .answers(PolicyView.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(PolicyBody.class));
                    if (body == null) in.requireValid();
                    var p = new Consents.NewPolicy(
                            in.requiredText(body, "", "version"),
                            in.requiredText(body, "", "url"),
                            in.requiredInstant(body, "", "publishedAt"),
                            in.optionalBoolean(body, "", "material"),
                            in.optionalBoolean(body, "", "requiresReconsent"));
                    var published = consents.publish(caller, p, in.errors());
                    ctx.status(201)
                            .json(view(
                                    published.policy(),
                                    published.affected().size(),
                                    published.notified(),
                                    published.withoutEmail()));
                });
        api.route(GET, "/v1/privacy-policies")
                .access(Access.needs(Scope.READ))
                .summary("The account's privacy-policy versions, newest first")
                .answers(PolicyList.class)
                .handle((ctx, caller) -> ctx.json(new PolicyList(consents.policies(caller).stream()
                        .map(p -> view(p, null, null, null))
                        .toList())));
        api.route(POST, "/v1/consents")
                .access(Access.needs(Scope.INGEST))
                .summary(
                        "Record a person's consent per purpose {subject: {email|phone|externalId|visitorId|profileId}, policyVersion, purposes: {name: true|false}, source, proof?: {form?, ip?}, ts?}; an ingest key names the person by visitorId only. The IP address is kept only as a keyed hash. A visitor id of an erased person stores nothing under ingest.afterErasure: drop: 202 {recorded: 0, suppressed: 1} to an ingest key, 410 to others")
                .body(ConsentBody.class)
                .returns(201)
                .answers(ConsentView.class)
                .answers(202, ConsentSuppressed.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(ConsentBody.class));
                    var request = read(body, in);
                    var recorded = consents.record(caller, request, in.errors(), "1".equals(ctx.header("Sec-GPC")));
                    boolean reads = caller.may(Scope.READ);
                    if (recorded.suppressed()) ctx.status(202).json(new ConsentSuppressed(0, 1));
                    else ctx.status(201).json(view(recorded.consent().get(), reads, recorded.minor()));
                });
        api.route(GET, "/v1/consents/{id}/receipt")
                .access(Access.needs(Scope.READ))
                .summary(
                        "A consent's receipt in the shape of the Kantara consent receipt (ISO/IEC TS 27560): controller, principal (the profile id), time, collection method, policy, purposes with the data categories they cover and who receives them")
                .answers(ConsentReceipt.class)
                .handle((ctx, caller) ->
                        ctx.json(consents.receipt(caller, Json.idPath(ctx, "id", "No such consent."))));
        api.route(GET, "/v1/profiles/{id}/consents")
                .access(Access.needs(Scope.READ))
                .summary("A profile's consent history, oldest first: every grant, withdrawal and objection")
                .answers(ConsentHistory.class)
                .handle((ctx, caller) -> ctx.json(
                        new ConsentHistory(consents.history(caller, Json.idPath(ctx, "id", "No such profile.")).stream()
                                .map(c -> view(c, true, false))
                                .toList())));
    }

    private static Consents.NewConsent read(JsonNode body, JsonFields in) {
        if (body == null) return new Consents.NewConsent(null, null, null, null, null, null, null);
        Consents.SubjectRef subject = null;
        JsonNode s = body.get("subject");
        if (s == null || s.isNull())
            in.error("subject", "is required: {\"email\": …} or phone, externalId, visitorId, profileId");
        else if (in.object(s, "subject", SUBJECT_KEYS) != null) {
            var given = SUBJECT_KEYS.stream().filter(s::has).toList();
            if (given.size() != 1)
                in.error("subject", "give exactly one of " + String.join(", ", SUBJECT_KEYS) + ", not " + given.size());
            else {
                String value = in.requiredText(s, "subject", given.get(0));
                if (value != null) subject = new Consents.SubjectRef(given.get(0), value);
            }
        }
        Map<String, Boolean> purposes = null;
        JsonNode p = body.get("purposes");
        if (p == null || p.isNull()) in.error("purposes", "is required: {\"targeting\": true, …}");
        else if (!p.isObject()) in.error("purposes", "must be an object of purposes to true or false");
        else {
            purposes = new LinkedHashMap<>();
            for (var e : p.properties()) {
                if (!e.getValue().isBoolean()) in.error(JsonFields.at("purposes", e.getKey()), "must be true or false");
                else purposes.put(e.getKey(), e.getValue().asBoolean());
            }
        }
        var proof = in.optionalObject(body, "", "proof", JsonFields.keys(ProofBody.class));
        return new Consents.NewConsent(
                subject,
                in.requiredText(body, "", "policyVersion"),
                purposes,
                in.requiredText(body, "", "source"),
                proof == null ? null : in.optionalText(proof, "proof", "form"),
                proof == null ? null : in.optionalText(proof, "proof", "ip"),
                in.optionalInstant(body, "", "ts"));
    }

    private static PolicyView view(PrivacyPolicyVersion p, Integer affected, Integer notified, Integer withoutEmail) {
        return new PolicyView(
                p.version(),
                p.url(),
                p.publishedAt(),
                p.material(),
                p.requiresReconsent(),
                p.createdAt(),
                affected,
                notified,
                withoutEmail);
    }

    private static ConsentView view(Consent c, boolean reads, boolean minor) {
        return new ConsentView(
                c.consentId(),
                reads ? c.subjectId() : null,
                c.policyVersion(),
                c.purposes(),
                c.source(),
                c.consentedAt(),
                c.recordedAt(),
                new ProofView(c.proofForm(), c.proofIpHash()),
                minor,
                "/v1/consents/" + c.consentId() + "/receipt");
    }

    /**
     * {@code POST /v1/privacy-policies}.
     *
     * @param version the account's label (v3, 2026-01): a name, never changed once published
     * @param url where the text of this version is published
     * @param publishedAt when it took effect; consents given before it cannot be under it
     * @param material a change that substantially affects people's rights: the people it affects
     *     are told
     * @param requiresReconsent consents given under earlier versions stop being current
     */
    record PolicyBody(
            @JsonProperty(required = true) String version,
            @JsonProperty(required = true) String url,
            @JsonProperty(required = true) Instant publishedAt,
            Boolean material,
            Boolean requiresReconsent) {}

    /**
     * A privacy-policy version.
     *
     * @param affected on publication: the people whose current grants were given under an earlier
     *     version (told of a material change)
     * @param notified on publication: the affected people an email was written to in the outbox
     *     (a material change; 0 otherwise)
     * @param withoutEmail on publication: the affected people not told, having no email Lethe keeps
     */
    record PolicyView(
            String version,
            String url,
            Instant publishedAt,
            boolean material,
            boolean requiresReconsent,
            Instant createdAt,
            Integer affected,
            Integer notified,
            Integer withoutEmail) {}

    record PolicyList(List<PolicyView> policies) {}

    /** Whom a consent is about: exactly one identifier. */
    record SubjectBody(String email, String phone, String externalId, String visitorId, String profileId) {}

    /**
     * The proof collected with a consent.
     *
     * @param form the banner or form version the person answered (a name)
     * @param ip the address the person answered from: only its keyed hash is kept
     */
    record ProofBody(String form, String ip) {}

    /**
     * {@code POST /v1/consents}.
     *
     * @param purposes purpose → granted: the cookie categories (required, functionality,
     *     performance, targeting) and the purposes of the policy's categories
     * @param source where it was collected (banner, signup_form, api): a name
     * @param ts when the person answered; default now
     */
    record ConsentBody(
            @JsonProperty(required = true) SubjectBody subject,
            @JsonProperty(required = true) String policyVersion,
            @JsonProperty(required = true) Map<String, Boolean> purposes,
            @JsonProperty(required = true) String source,
            ProofBody proof,
            Instant ts) {}

    /** The proof as kept: the form version and the keyed hash of the address. */
    record ProofView(String form, String ipHash) {}

    /**
     * A consent as recorded.
     *
     * @param profileId the person; only for keys that may read
     * @param minor the person is below the digital age of consent: the consent is recorded but
     *     not current
     */
    record ConsentView(
            String consentId,
            String profileId,
            String policyVersion,
            Map<String, Boolean> purposes,
            String source,
            Instant consentedAt,
            Instant recordedAt,
            ProofView proof,
            boolean minor,
            String receipt) {}

    record ConsentHistory(List<ConsentView> consents) {}

    /**
     * A consent not recorded: it named an erased person (the suppression list), and the policy's
     * {@code ingest.afterErasure} is {@code drop}.
     *
     * @param recorded consents recorded: 0
     * @param suppressed consents dropped for naming an erased person: 1
     */
    record ConsentSuppressed(int recorded, int suppressed) {}
}
