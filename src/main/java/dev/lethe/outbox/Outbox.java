package dev.lethe.outbox;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.CryptoFailure;
import dev.lethe.crypto.Keyring;
import dev.lethe.crypto.SubjectKeyDestroyed;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.NotFoundException;
import dev.lethe.outbox.JdbcOutboxStore.Ref;
import dev.lethe.outbox.JdbcOutboxStore.Row;
import dev.lethe.storage.Cursors;
import dev.lethe.storage.Dialect;
import dev.lethe.storage.Ids;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifications outbox (docs/outbox.md). A feature writes a message with {@link #enqueue} in
 * the transaction of what it announces, so the message exists exactly when that commits; the
 * outbox job ({@link #deliverDue}) sends it afterwards by SMTP, retrying with exponential backoff
 * up to the configured attempts, then marks it failed for an admin to see and retry.
 *
 * <p>Recipient, subject line and text are sealed together: under the subject's key when the
 * message is about a person, so an erasure makes their pending mail unreadable with everything
 * else, or under the account's outbox key. Neither is ever logged or audited; errors are described
 * from the failure's kind and reply code only. Delivery is at least once: a server that dies
 * between the SMTP server's acceptance and the row's update sends the message again once its
 * claim ({@link #CLAIM}) has lapsed; two runs at once never both send it.
 */
public final class Outbox implements AutoCloseable {

    /** The category (under a subject key) and purpose (under the account key) content is sealed under. */
    static final String SEALED_AS = "outbox";

    /** How long a delivery run holds a claimed message before another run may take it. */
    static final Duration CLAIM = Duration.ofMinutes(5);

    /** Messages one delivery run claims at most. */
    static final int BATCH = 100;

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Content(String to, String subject, String text) {}

    private final Jdbi jdbi;
    private final JdbcOutboxStore store;
    private final Keyring keyring;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;
    private final OutboxSettings settings;
    private final Optional<SmtpMailer> mailer;
    private final WebhookSender webhooks;
    private volatile SubscriberTargets subscribers;
    private final JdbcWebhookStore endpoints = new JdbcWebhookStore();
    private final Counter sent;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public Outbox(
            Jdbi jdbi,
            Dialect dialect,
            Keyring keyring,
            AuditLog audit,
            Ids ids,
            Clock clock,
            OutboxSettings settings,
            MeterRegistry metrics) {
        this.jdbi = jdbi;
        this.store = new JdbcOutboxStore(dialect);
        this.keyring = keyring;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
        this.settings = settings;
        this.mailer = settings.smtp().map(SmtpMailer::new);
        this.webhooks = new WebhookSender(settings.webhooks());
        this.sent = Counter.builder("lethe_outbox_sent_total")
                .description("Outbox messages the SMTP server accepted")
                .register(metrics);
        this.failures = Counter.builder("lethe_outbox_failures_total")
                .description("Delivery attempts that failed (a message retried three times counts three)")
                .register(metrics);
        Gauge.builder("lethe_outbox_pending", pending, AtomicLong::get)
                .description("Messages waiting to be sent, as of the last delivery run")
                .register(metrics);
        Gauge.builder("lethe_outbox_failed", failed, AtomicLong::get)
                .description("Messages given up on after the last attempt, as of the last delivery run")
                .register(metrics);
    }

    /** Whether an SMTP server is configured; without one, messages stay pending. */
    public boolean sends() {
        return mailer.isPresent();
    }

    /**
     * Writes a message in the caller's transaction: it is sent only if that transaction commits.
     * Sealed under the subject's key when {@code subjectId} is given (its erasure makes the
     * message unreadable; {@link SubjectKeyDestroyed} if it is erased already), else under the
     * account's outbox key. Returns the message id.
     */
    public String enqueue(Handle h, String accountId, Optional<String> subjectId, OutboxMessage message) {
        String messageId = ids.next();
        byte[] plain = encode(new Content(message.to(), message.subject(), message.text()));
        Keyring.Sealed sealed = subjectId.isPresent()
                ? keyring.seal(h, accountId, subjectId.get(), SEALED_AS, messageId, plain)
                : keyring.sealForAccount(h, accountId, SEALED_AS, messageId, plain);
        store.insert(
                h,
                new Row(
                        accountId,
                        messageId,
                        subjectId.orElse(null),
                        sealed.keyId(),
                        message.kind(),
                        message.purpose(),
                        sealed.ciphertext(),
                        OutboxStatus.PENDING,
                        0,
                        null,
                        clock.instant(),
                        clock.instant(),
                        null));
        return messageId;
    }

    /** Stops the webhook client (its threads), if a webhook was sent. */
    @Override
    public void close() {
        webhooks.close();
    }

    /**
     * The outbox job's work: drops the content of messages past their retention, then, when an
     * SMTP server is configured, claims the due messages and sends them. Safe to run on several
     * servers at once.
     */
    public void deliverDue() {
        Instant now = clock.instant();
        int dropped = jdbi.inTransaction(
                h -> store.dropContent(h, now.minus(settings.keepContent()), now.minus(settings.keepContent())));
        if (dropped > 0) log.info("outbox content dropped after its retention {}", kv("messages", dropped));
        // webhooks go out with or without an SMTP server; mail waits for one
        // a run stops well inside its claim, so no other run takes a message this one still holds
        // (slow webhook endpoints can take their timeout each); what is left is taken once its claim lapses
        long started = System.nanoTime();
        for (Ref ref : claimDue(now)) {
            if (System.nanoTime() - started > CLAIM.dividedBy(2).toNanos()) break;
            deliver(ref);
        }
        refreshGauges();
    }

    private List<Ref> claimDue(Instant now) {
        return jdbi.inTransaction(h -> {
            var claimed = new ArrayList<Ref>();
            for (Ref ref : store.due(h, now, BATCH, mailer.isPresent())) {
                if (store.claim(h, ref, now, now.plus(CLAIM))) claimed.add(ref);
            }
            return claimed;
        });
    }

    private void deliver(Ref ref) {
        var row = jdbi.withHandle(h -> store.find(h, ref.accountId(), ref.messageId()));
        if (row.isEmpty()) return; // erased meanwhile
        int attempt = row.get().attempts() + 1;
        Content content;
        try {
            content = jdbi.withHandle(h -> open(h, row.get()));
        } catch (SubjectKeyDestroyed | CryptoFailure e) {
            giveUp(ref, attempt, "the message no longer opens: its person was erased");
            return;
        }
        try {
            if (row.get().kind() == MessageKind.WEBHOOK) {
                var target = webhookTarget(ref.accountId(), content.to());
                if (target.isEmpty()) {
                    giveUp(ref, attempt, "the webhook was deleted");
                    return;
                }
                webhooks.send(
                        target.get().url(),
                        target.get().secret(),
                        ref.messageId(),
                        content.subject(),
                        content.text(),
                        clock.instant());
            } else {
                mailer.orElseThrow().send(content.to(), content.subject(), content.text(), clock.instant());
            }
        } catch (SmtpMailer.DeliveryFailure e) {
            failures.increment();
            if (attempt >= settings.maxAttempts()) {
                giveUp(ref, attempt, e.getMessage());
            } else {
                Instant next = clock.instant().plus(settings.retryWait(attempt));
                jdbi.useTransaction(
                        h -> store.attemptFailed(h, ref, attempt, e.getMessage(), OutboxStatus.PENDING, next));
                log.warn(
                        "outbox delivery failed; retrying {} {} {} {} {}",
                        kv("account", ref.accountId()),
                        kv("message", ref.messageId()),
                        kv("attempt", attempt),
                        kv("error", e.getMessage()),
                        kv("next", next.toString()));
            }
            return;
        }
        jdbi.useTransaction(h -> store.sent(h, ref, attempt, clock.instant()));
        sent.increment();
        log.info(
                "outbox message sent {} {} {} {}",
                kv("account", ref.accountId()),
                kv("message", ref.messageId()),
                kv("purpose", row.get().purpose()),
                kv("attempt", attempt));
    }

    /**
     * Where the webhooks of confirmed subscribers go: their URL and secret, found by account and
     * subscription id in a transaction, empty when the subscription is gone. The subscriptions
     * feature registers it, so the outbox needs not know its table.
     */
    @FunctionalInterface
    public interface SubscriberTargets {
        Optional<WebhookTarget> find(Handle h, String accountId, String subscriptionId);
    }

    /** Where {@code subscriber:<id>} webhooks go (unset: they are given up as deleted). */
    public void subscriberTargets(SubscriberTargets lookup) {
        this.subscribers = Objects.requireNonNull(lookup);
    }

    /**
     * Where a webhook goes: one of the account's endpoints or a confirmed subscriber (URL and
     * secret, opened now, so a deleted endpoint or subscription gets nothing), or a bare URL,
     * unsigned. Empty when the endpoint or subscription is gone.
     */
    private Optional<WebhookTarget> webhookTarget(String accountId, String to) {
        try {
            if (to.startsWith(OutboxMessage.ENDPOINT)) {
                String id = to.substring(OutboxMessage.ENDPOINT.length());
                return jdbi.withHandle(h -> endpoints
                        .find(h, accountId, id)
                        .map(r -> WebhookTarget.decode(keyring.openForAccount(
                                h, accountId, r.keyId(), WebhookTarget.SEALED_AS, r.webhookId(), r.target()))));
            }
            if (to.startsWith(OutboxMessage.SUBSCRIBER)) {
                String id = to.substring(OutboxMessage.SUBSCRIBER.length());
                var lookup = subscribers;
                return lookup == null ? Optional.empty() : jdbi.withHandle(h -> lookup.find(h, accountId, id));
            }
        } catch (CryptoFailure e) {
            return Optional.empty();
        }
        return Optional.of(new WebhookTarget(to, null));
    }

    private void giveUp(Ref ref, int attempt, String error) {
        Instant now = clock.instant();
        jdbi.useTransaction(h -> {
            store.attemptFailed(h, ref, attempt, error, OutboxStatus.FAILED, now);
            audit.append(
                    h,
                    AuditEvent.ok(
                            ref.accountId(),
                            Actor.SYSTEM,
                            "outbox.failed",
                            List.of("outbox:" + ref.messageId()),
                            Map.of("attempts", attempt)));
        });
        log.warn(
                "outbox delivery failed for good {} {} {} {}",
                kv("account", ref.accountId()),
                kv("message", ref.messageId()),
                kv("attempts", attempt),
                kv("error", error));
    }

    /**
     * A page of the account's outbox, newest first, with masked recipients and subject lines
     * (never the text); the read is audited with the ids listed.
     */
    public OutboxPage list(Caller admin, OutboxQuery query) {
        AccountService.requireScope(admin, Scope.ADMIN);
        String accountId = admin.accountId();
        var position = query.position(accountId);
        if (query.cursor() != null && position.isEmpty()) {
            throw new BadRequestException("Invalid cursor.", List.of(new FieldError("cursor", Cursors.PROBLEM)));
        }
        return jdbi.inTransaction(h -> {
            var rows = store.page(
                    h,
                    accountId,
                    query.status(),
                    position.map(OutboxQuery.Position::createdAt).orElse(null),
                    position.map(OutboxQuery.Position::messageId).orElse(null),
                    query.limit());
            var entries = rows.stream().map(r -> entry(h, r)).toList();
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            admin.actor(),
                            "outbox.list",
                            entries.stream().map(e -> "outbox:" + e.id()).toList(),
                            Map.of("messages", entries.size(), "fields", "recipient,subject")));
            String next = rows.size() < query.limit()
                    ? null
                    : query.next(
                            accountId,
                            rows.getLast().createdAt(),
                            rows.getLast().messageId());
            return new OutboxPage(entries, next);
        });
    }

    /**
     * Makes a failed message pending again, due now or at {@code at} (an instant past is now), with
     * a fresh series of attempts; audited.
     */
    public OutboxEntry retry(Caller admin, String messageId, Optional<Instant> at) {
        AccountService.requireScope(admin, Scope.ADMIN);
        String accountId = admin.accountId();
        return jdbi.inTransaction(h -> {
            var row = store.find(h, accountId, messageId).orElseThrow(() -> new NotFoundException("No such message."));
            if (row.status() != OutboxStatus.FAILED) {
                throw new ConflictException("Only a failed message is retried; this one is "
                        + row.status().wireName() + ".");
            }
            Instant now = clock.instant();
            Instant due = at.filter(now::isBefore).orElse(now);
            if (!store.retry(h, accountId, messageId, due)) {
                throw new ConflictException("This message's content is gone (its retention ended): it cannot be sent.");
            }
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            admin.actor(),
                            "outbox.retry",
                            List.of("outbox:" + messageId),
                            Map.of("previousAttempts", row.attempts(), "due", due.toString())));
            return entry(h, store.find(h, accountId, messageId).orElseThrow());
        });
    }

    private OutboxEntry entry(Handle h, Row r) {
        Content c = null;
        if (r.content() != null) {
            try {
                c = open(h, r);
            } catch (SubjectKeyDestroyed | CryptoFailure e) {
                // erased: nobody can read it any more
            }
        }
        return new OutboxEntry(
                r.messageId(),
                r.kind().wireName(),
                r.purpose(),
                r.subjectId(),
                c == null ? null : c.subject(),
                c == null
                        ? null
                        : r.kind() == MessageKind.WEBHOOK ? OutboxEntry.maskUrl(c.to()) : OutboxEntry.mask(c.to()),
                r.status().wireName(),
                r.attempts(),
                r.lastError(),
                r.createdAt(),
                r.sentAt(),
                r.status() == OutboxStatus.PENDING ? r.nextAttemptAt() : null);
    }

    private Content open(Handle h, Row r) {
        if (r.content() == null) throw new CryptoFailure("the message's content is gone", null);
        byte[] plain = r.subjectId() != null
                ? keyring.open(h, r.accountId(), r.keyId(), SEALED_AS, r.messageId(), r.content())
                : keyring.openForAccount(h, r.accountId(), r.keyId(), SEALED_AS, r.messageId(), r.content());
        try {
            return JSON.readValue(plain, Content.class);
        } catch (IOException e) {
            throw new UncheckedIOException("an outbox message does not read back", e);
        }
    }

    private static byte[] encode(Content content) {
        try {
            return JSON.writeValueAsBytes(content);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void refreshGauges() {
        jdbi.useHandle(h -> {
            pending.set(store.count(h, OutboxStatus.PENDING));
            failed.set(store.count(h, OutboxStatus.FAILED));
        });
    }
}
