package dev.lethe.subscriptions;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.outbox.Outbox;
import dev.lethe.outbox.OutboxMessage;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.outbox.WebhookTarget;
import dev.lethe.outbox.Webhooks;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyPublished;
import dev.lethe.registry.PolicyVersion;
import dev.lethe.storage.Ids;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions to an account's sub-processor changes (README "Sub-processor change notices"). A
 * public notice page subscribes an email or a webhook URL with the account's ingest key; a
 * confirmation message carries a link whose token is the only credential (only its SHA-256 is
 * stored); a subscription not confirmed within {@link #CONFIRM_WITHIN} is swept. When the account
 * publishes a policy version that adds, removes or changes a processor, every confirmed subscriber
 * gets one message in that transaction, with an unsubscribe link (its token is a keyed PRF of the
 * subscription id: nothing of it is stored). Addresses are sealed under the account's key with a
 * blind index, never logged or audited.
 */
public final class SubprocessorSubscriptions implements PolicyPublished {

    /** How long a confirmation link works; unconfirmed subscriptions are deleted after it. */
    public static final Duration CONFIRM_WITHIN = Duration.ofDays(7);

    /**
     * Confirmation messages one account sends at most in an hour (counting subscriptions made in
     * the last hour); beyond it a subscription is answered as usual but neither stored nor sent.
     */
    public static final int CONFIRMATIONS_PER_HOUR = 100;

    static final String SEALED_AS = "subprocessor-subscription";
    private static final String UNSUBSCRIBE = "subprocessor-unsubscribe";
    private static final String PATH = "/v1/subprocessor-subscriptions/";
    private static final Logger log = LoggerFactory.getLogger(SubprocessorSubscriptions.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;
    private final JdbcSubscriptionStore store = new JdbcSubscriptionStore();
    private final Keyring keyring;
    private final Outbox outbox;
    private final Webhooks webhooks;
    private final AuditLog audit;
    private final Ids ids;
    private final RandomGenerator random;
    private final Clock clock;
    private final String publicUrl;

    public SubprocessorSubscriptions(
            Jdbi jdbi,
            Keyring keyring,
            Outbox outbox,
            Webhooks webhooks,
            AuditLog audit,
            Ids ids,
            RandomGenerator random,
            Clock clock,
            OutboxSettings.Webhooks settings) {
        this.jdbi = jdbi;
        this.keyring = keyring;
        this.outbox = outbox;
        this.webhooks = webhooks;
        this.audit = audit;
        this.ids = ids;
        this.random = random;
        this.clock = clock;
        this.publicUrl = settings.publicUrl();
        // a confirmed webhook subscriber's notices are addressed by id: the outbox asks here for
        // its URL and secret at delivery, so an unsubscribed one gets nothing more
        outbox.subscriberTargets(this::target);
    }

    /**
     * Subscribes an email or a webhook URL (exactly one) and sends it a confirmation link. The
     * answer is the same whether the address was subscribed already (then nothing is sent): an
     * ingest key learns nothing about who subscribed.
     */
    public void subscribe(Caller caller, String email, String webhookUrl) {
        AccountService.requireScope(caller, Scope.INGEST);
        String accountId = caller.accountId();
        var errors = new ArrayList<FieldError>();
        if ((email == null) == (webhookUrl == null)) {
            errors.add(new FieldError("", "give exactly one of email and webhookUrl"));
        }
        if (email != null && (email.length() > 320 || !OutboxMessage.isAddress(email))) {
            errors.add(new FieldError("email", "must be one email address"));
        }
        if (webhookUrl != null)
            webhooks.urlProblem(webhookUrl).ifPresent(p -> errors.add(new FieldError("webhookUrl", p)));
        if (!errors.isEmpty()) throw new InvalidInputException("The subscription is not valid.", errors);
        String channel = email != null ? "email" : "webhook";
        String address = email != null ? email.strip() : webhookUrl;
        byte[] index =
                keyring.blindIndex(accountId, SEALED_AS, email != null ? address.toLowerCase(Locale.ROOT) : address);
        String id = ids.next();
        String token = accountId + "." + randomToken();
        Instant now = clock.instant();
        jdbi.useTransaction(h -> {
            // one confirmation per address until it is confirmed or swept (7 days); and at most
            // CONFIRMATIONS_PER_HOUR per account, so the route cannot bomb many addresses through
            // us. Either way the answer is the same 202: nothing tells the caller which applied.
            store.lockAccount(h, accountId);
            if (store.exists(h, accountId, index)) return;
            if (store.madeSince(h, accountId, now.minus(Duration.ofHours(1))) >= CONFIRMATIONS_PER_HOUR) {
                log.warn(
                        "sub-processor subscription refused: the account's hourly confirmation cap is reached {} {}",
                        kv("account", accountId),
                        kv("cap", CONFIRMATIONS_PER_HOUR));
                return;
            }
            var sealed = keyring.sealForAccount(h, accountId, SEALED_AS, id, address.getBytes(StandardCharsets.UTF_8));
            store.insert(
                    h,
                    new JdbcSubscriptionStore.Row(
                            accountId, id, channel, sealed.keyId(), sealed.ciphertext(), now, null),
                    index,
                    sha256(token));
            String link = publicUrl + PATH + "confirm?token=" + token;
            outbox.enqueue(
                    h,
                    accountId,
                    Optional.empty(),
                    email != null
                            ? OutboxMessage.email(
                                    address,
                                    "Confirm your subscription to sub-processor changes",
                                    "Someone (we hope you) asked to be told when the list of sub-processors changes.\n\n"
                                            + "Confirm within 7 days: " + link + "\n\n"
                                            + "If it was not you, ignore this message: nothing will be sent.\n",
                                    "subscription-confirm")
                            : OutboxMessage.webhookToUrl(
                                    address,
                                    "subscription.confirm",
                                    json(Map.of("event", "subscription.confirm", "confirm", link)),
                                    "subscription-confirm"));
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "subprocessors.subscribe",
                            List.of("subscription:" + id),
                            Map.of("channel", channel)));
        });
    }

    /**
     * Confirms the subscription of this link's token; 404 when it is unknown, used or expired. A
     * webhook subscriber gets its signing secret now, once: the link went only to its URL, so
     * whoever confirms received the confirmation there (the caller of the public subscribe route
     * never sees it). The secret is sealed with the URL; an email subscriber gets none.
     */
    public Optional<String> confirm(String token, String sourceAddress) {
        String accountId = accountOf(token);
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            String id = store.confirm(h, accountId, sha256(token), now.minus(CONFIRM_WITHIN), now)
                    .orElseThrow(SubprocessorSubscriptions::invalidLink);
            Optional<String> secret = Optional.empty();
            var row = store.find(h, accountId, id).orElseThrow();
            if (row.channel().equals("webhook")) {
                String url = target(h, row).url();
                secret = Optional.of(WebhookTarget.newSecret(random));
                var sealed = keyring.sealForAccount(
                        h, accountId, SEALED_AS, id, new WebhookTarget(url, secret.get()).encode());
                store.reseal(h, accountId, id, sealed.keyId(), sealed.ciphertext());
            }
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            new Actor("subscriber", sourceAddress),
                            "subprocessors.confirm",
                            List.of("subscription:" + id),
                            Map.of()));
            return secret;
        });
    }

    /** A confirmed webhook subscriber's URL and secret, for the outbox; empty when it is gone. */
    private Optional<WebhookTarget> target(Handle h, String accountId, String subscriptionId) {
        return store.find(h, accountId, subscriptionId)
                .filter(r -> r.channel().equals("webhook") && r.confirmedAt() != null)
                .map(r -> target(h, r));
    }

    /**
     * A webhook subscription's sealed address: the URL alone until it is confirmed (and for one
     * confirmed before subscribers had secrets: then unsigned), the URL with its secret after.
     */
    private WebhookTarget target(Handle h, JdbcSubscriptionStore.Row r) {
        byte[] plain = keyring.openForAccount(h, r.accountId(), r.keyId(), SEALED_AS, r.subscriptionId(), r.address());
        return plain.length > 0 && plain[0] == '{'
                ? WebhookTarget.decode(plain)
                : new WebhookTarget(new String(plain, StandardCharsets.UTF_8), null);
    }

    /** Deletes the subscription of this link's token; 404 when the token is not one we made. */
    public void unsubscribe(String token, String sourceAddress) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3
                || Ids.parse(parts[0]).isEmpty()
                || Ids.parse(parts[1]).isEmpty()) throw invalidLink();
        String accountId = parts[0];
        String id = parts[1];
        byte[] expected;
        try {
            expected = unsubscribeMac(accountId, id);
        } catch (RuntimeException e) {
            throw invalidLink(); // no such account
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw invalidLink();
        }
        if (!MessageDigest.isEqual(expected, given)) throw invalidLink();
        jdbi.useTransaction(h -> {
            if (store.delete(h, accountId, id)) {
                audit.append(
                        h,
                        AuditEvent.ok(
                                accountId,
                                new Actor("subscriber", sourceAddress),
                                "subprocessors.unsubscribe",
                                List.of("subscription:" + id),
                                Map.of()));
            }
        });
    }

    /** Deletes subscriptions not confirmed in time (a recurring job); returns how many. */
    public int sweepUnconfirmed() {
        int deleted = jdbi.inTransaction(
                h -> store.deleteUnconfirmed(h, clock.instant().minus(CONFIRM_WITHIN)));
        if (deleted > 0) log.info("unconfirmed sub-processor subscriptions deleted {}", kv("subscriptions", deleted));
        return deleted;
    }

    /** A version that changes the processors: one message per confirmed subscriber, and the webhook event. */
    @Override
    public void published(Handle h, String accountId, Optional<Policy> previous, PolicyVersion version) {
        var changes = ProcessorChanges.between(previous, version.policy());
        if (changes.isEmpty()) return;
        Instant now = clock.instant();
        webhooks.notify(
                h,
                accountId,
                "subprocessors.changed",
                changes.summary(version.version()),
                Map.of(),
                Optional.of(version.policy()));
        String controller = version.policy().controller() == null
                ? "The controller"
                : version.policy().controller().name();
        for (var s : store.confirmed(h, accountId)) {
            String unsubscribe =
                    publicUrl + PATH + "unsubscribe?token=" + unsubscribeToken(accountId, s.subscriptionId());
            if (s.channel().equals("email")) {
                String address = new String(
                        keyring.openForAccount(h, accountId, s.keyId(), SEALED_AS, s.subscriptionId(), s.address()),
                        StandardCharsets.UTF_8);
                outbox.enqueue(
                        h,
                        accountId,
                        Optional.empty(),
                        OutboxMessage.email(
                                address,
                                "Sub-processor changes at " + controller,
                                controller + " changed its list of sub-processors (policy version "
                                        + version.version() + ").\n\n" + changes.text(now)
                                        + "\nTo stop these messages: " + unsubscribe + "\n",
                                "subprocessor-change"));
            } else {
                // addressed by id: the outbox finds the URL and the secret it signs with at delivery
                var body = new LinkedHashMap<String, Object>(changes.summary(version.version()));
                body.put("event", "subprocessors.changed");
                body.put("unsubscribe", unsubscribe);
                outbox.enqueue(
                        h,
                        accountId,
                        Optional.empty(),
                        OutboxMessage.webhookToSubscriber(
                                s.subscriptionId(), "subprocessors.changed", json(body), "subprocessor-change"));
            }
        }
    }

    private String unsubscribeToken(String accountId, String subscriptionId) {
        return accountId + "." + subscriptionId + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(unsubscribeMac(accountId, subscriptionId));
    }

    private byte[] unsubscribeMac(String accountId, String subscriptionId) {
        return keyring.blindIndex(accountId, UNSUBSCRIBE, subscriptionId);
    }

    private static String accountOf(String token) {
        int dot = token.indexOf('.');
        if (dot < 0 || Ids.parse(token.substring(0, dot)).isEmpty()) throw invalidLink();
        return token.substring(0, dot);
    }

    private static NotFoundException invalidLink() {
        return new NotFoundException("This link is not valid, was used already, or has expired.");
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
