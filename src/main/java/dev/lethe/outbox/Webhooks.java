package dev.lethe.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.jobs.JobService;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.PolicyVersion;
import dev.lethe.storage.Ids;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The account's webhook endpoints (docs/webhooks.md): an admin makes one for some events and gets
 * its signing secret once; features call {@link #notify} in the transaction of what they announce,
 * which writes one outbox message per endpoint listening, delivered by the outbox job with its
 * retries and dead letter. Payloads carry ids and counts; values that identify a person go only to
 * an endpoint made with {@code personalData: true}. An endpoint tied to a processor of the policy
 * gets nothing while that processor is not active (its {@code effectiveFrom} is ahead, or it is
 * gone from the policy).
 */
public final class Webhooks {

    /** The events an endpoint may listen to. */
    public static final List<String> EVENTS =
            List.of("job.completed", "job.failed", "request.completed", "erasure.completed", "subprocessors.changed");

    /** Endpoints one account may have at most. */
    public static final int MAX_PER_ACCOUNT = 50;

    /** The longest processor name a webhook may name. */
    public static final int MAX_PROCESSOR = 200;

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** A webhook to make: {@code POST /v1/webhooks}. */
    public record NewWebhook(String url, List<String> events, String processor, boolean personalData) {}

    /**
     * An endpoint as an admin sees it: the URL without its query (which may hold a token), never the
     * secret.
     */
    public record Webhook(
            String id, String url, List<String> events, String processor, boolean personalData, Instant createdAt) {}

    /** A webhook just made, with its secret: shown this once. */
    public record Created(
            String id,
            String secret,
            String url,
            List<String> events,
            String processor,
            boolean personalData,
            Instant createdAt) {}

    private final Jdbi jdbi;
    private final JdbcWebhookStore store = new JdbcWebhookStore();
    private final Keyring keyring;
    private final Outbox outbox;
    private final PolicyService policies;
    private final AuditLog audit;
    private final Ids ids;
    private final RandomGenerator random;
    private final Clock clock;
    private final OutboxSettings.Webhooks settings;

    public Webhooks(
            Jdbi jdbi,
            Keyring keyring,
            Outbox outbox,
            PolicyService policies,
            AuditLog audit,
            Ids ids,
            RandomGenerator random,
            Clock clock,
            OutboxSettings.Webhooks settings) {
        this.jdbi = jdbi;
        this.keyring = keyring;
        this.outbox = outbox;
        this.policies = policies;
        this.audit = audit;
        this.ids = ids;
        this.random = random;
        this.clock = clock;
        this.settings = settings;
    }

    /** Why this URL may not receive webhooks, if it may not (the address check of docs/webhooks.md). */
    public Optional<String> urlProblem(String url) {
        return WebhookUrls.problem(url, settings.allowPrivate());
    }

    /** Makes an endpoint; every mistake is reported at once (422) and nothing is stored then. */
    public Created create(Caller admin, NewWebhook in) {
        AccountService.requireScope(admin, Scope.ADMIN);
        String accountId = admin.accountId();
        var errors = new ArrayList<FieldError>();
        urlProblem(in.url()).ifPresent(p -> errors.add(new FieldError("url", p)));
        if (in.events().isEmpty()) errors.add(new FieldError("events", "must name at least one event"));
        for (int i = 0; i < in.events().size(); i++) {
            if (!EVENTS.contains(in.events().get(i))) {
                errors.add(new FieldError("events[" + i + "]", "must be one of: " + String.join(", ", EVENTS)));
            }
        }
        if (in.processor() != null) {
            boolean named = policies.inForce(accountId)
                    .map(v -> v.policy().processors().stream()
                            .anyMatch(p -> p.name().equals(in.processor())))
                    .orElse(false);
            if (!named) errors.add(new FieldError("processor", "is not a processor of the policy in force"));
        }
        if (!errors.isEmpty()) throw new InvalidInputException("The webhook is not valid.", errors);
        String secret = WebhookTarget.newSecret(random);
        String id = ids.next();
        Instant now = clock.instant();
        var events = List.copyOf(new java.util.LinkedHashSet<>(in.events()));
        return jdbi.inTransaction(h -> {
            if (store.count(h, accountId) >= MAX_PER_ACCOUNT) {
                throw new ConflictException("This account has " + MAX_PER_ACCOUNT + " webhooks: delete one first.");
            }
            var sealed = keyring.sealForAccount(
                    h, accountId, WebhookTarget.SEALED_AS, id, new WebhookTarget(in.url(), secret).encode());
            store.insert(
                    h,
                    new JdbcWebhookStore.Row(
                            accountId,
                            id,
                            sealed.keyId(),
                            sealed.ciphertext(),
                            events,
                            in.processor(),
                            in.personalData(),
                            now));
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            admin.actor(),
                            "webhook.create",
                            List.of("webhook:" + id),
                            Map.of("events", events.size(), "personalData", in.personalData())));
            return new Created(
                    id, secret, WebhookUrls.withoutQuery(in.url()), events, in.processor(), in.personalData(), now);
        });
    }

    public List<Webhook> list(Caller admin) {
        AccountService.requireScope(admin, Scope.ADMIN);
        return jdbi.withHandle(h ->
                store.list(h, admin.accountId()).stream().map(r -> view(h, r)).toList());
    }

    /** Deletes an endpoint; its messages not yet sent are not sent (their delivery finds it gone). */
    public void delete(Caller admin, String webhookId) {
        AccountService.requireScope(admin, Scope.ADMIN);
        jdbi.useTransaction(h -> {
            if (!store.delete(h, admin.accountId(), webhookId)) throw new NotFoundException("No such webhook.");
            audit.append(
                    h,
                    AuditEvent.ok(
                            admin.accountId(),
                            admin.actor(),
                            "webhook.delete",
                            List.of("webhook:" + webhookId),
                            Map.of()));
        });
    }

    /**
     * Announces an event to every endpoint of the account listening to it, in the caller's
     * transaction: messages exist exactly when it commits. {@code data} must hold no personal value
     * (ids and counts). Returns how many messages were written.
     */
    public int notify(Handle h, String accountId, String event, Map<String, Object> data) {
        return notify(h, accountId, event, data, Map.of());
    }

    /**
     * As {@link #notify(Handle, String, String, Map)}, adding {@code personal} (values that identify
     * a person, e.g. a profile's identifiers) only for endpoints made with {@code personalData: true}.
     */
    public int notify(
            Handle h, String accountId, String event, Map<String, Object> data, Map<String, Object> personal) {
        // the policy is read only when an endpoint listening is tied to a processor: an erasure
        // (or a bulk deletion's thousands) with no such endpoint costs one indexed read
        return write(
                h,
                accountId,
                event,
                data,
                personal,
                () -> policies.inForceOn(h, accountId).map(PolicyVersion::policy));
    }

    /** As above, judging processors by {@code policy} (the version being published, say). */
    public int notify(
            Handle h,
            String accountId,
            String event,
            Map<String, Object> data,
            Map<String, Object> personal,
            Optional<Policy> policy) {
        return write(h, accountId, event, data, personal, () -> policy);
    }

    /**
     * {@link #notify(Handle, String, String, Map)} for many events of one kind (a bulk deletion's
     * batch of erasures): the account's endpoints read once for all of them, each event written as
     * alone. Returns how many messages were written.
     */
    public int notifyAll(Handle h, String accountId, String event, List<Map<String, Object>> data) {
        if (data.isEmpty()) return 0;
        var endpoints = store.list(h, accountId);
        if (endpoints.isEmpty()) return 0;
        var policy = new java.util.concurrent.atomic.AtomicReference<Optional<Policy>>();
        java.util.function.Supplier<Optional<Policy>> once = () -> {
            if (policy.get() == null)
                policy.set(policies.inForceOn(h, accountId).map(PolicyVersion::policy));
            return policy.get();
        };
        int written = 0;
        for (var d : data) written += write(h, endpoints, accountId, event, d, Map.of(), once);
        return written;
    }

    private int write(
            Handle h,
            String accountId,
            String event,
            Map<String, Object> data,
            Map<String, Object> personal,
            java.util.function.Supplier<Optional<Policy>> policyInForce) {
        return write(h, store.list(h, accountId), accountId, event, data, personal, policyInForce);
    }

    private int write(
            Handle h,
            List<JdbcWebhookStore.Row> endpoints,
            String accountId,
            String event,
            Map<String, Object> data,
            Map<String, Object> personal,
            java.util.function.Supplier<Optional<Policy>> policyInForce) {
        if (!EVENTS.contains(event)) throw new IllegalArgumentException("unknown webhook event " + event);
        Instant now = clock.instant();
        int written = 0;
        Optional<Policy> policy = null;
        for (var row : endpoints) {
            if (!row.events().contains(event)) continue;
            if (row.processor() != null) {
                if (policy == null) policy = policyInForce.get();
                if (!active(policy, row.processor(), now)) continue;
            }
            var body = new LinkedHashMap<String, Object>();
            body.put("event", event);
            body.put("occurredAt", now.toString());
            body.put("account", accountId);
            body.put("webhook", row.webhookId());
            var all = new LinkedHashMap<String, Object>(data);
            if (row.personalData()) all.putAll(personal);
            body.put("data", all);
            outbox.enqueue(h, accountId, Optional.empty(), OutboxMessage.webhook(row.webhookId(), event, json(body)));
            written++;
        }
        return written;
    }

    /**
     * A background job's end as the {@code job.completed} or {@code job.failed} event (wired to
     * {@code JobService.onEnded}, in the transaction that records the end): its id, kind, counts.
     */
    public void jobEnded(JobService.Ended ended) {
        var job = ended.job();
        String event = switch (job.jobState()) {
            case COMPLETED -> "job.completed";
            case FAILED -> "job.failed";
            default -> null;
        };
        if (event == null) return;
        var data = new LinkedHashMap<String, Object>();
        data.put("job", job.id());
        data.put("kind", job.kind());
        data.put("state", job.state());
        if (job.total() != null) data.put("total", job.total());
        data.put("done", job.done());
        data.put("errors", job.errors());
        notify(ended.handle(), ended.accountId(), event, data);
    }

    private static boolean active(Optional<Policy> policy, String processor, Instant now) {
        return policy.flatMap(p -> p.processors().stream()
                        .filter(x -> x.name().equals(processor))
                        .findFirst())
                .map(p -> p.activeAt(now))
                .orElse(false);
    }

    private Webhook view(Handle h, JdbcWebhookStore.Row r) {
        var target = WebhookTarget.decode(keyring.openForAccount(
                h, r.accountId(), r.keyId(), WebhookTarget.SEALED_AS, r.webhookId(), r.target()));
        return new Webhook(
                r.webhookId(),
                WebhookUrls.withoutQuery(target.url()),
                r.events(),
                r.processor(),
                r.personalData(),
                r.createdAt());
    }

    static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
