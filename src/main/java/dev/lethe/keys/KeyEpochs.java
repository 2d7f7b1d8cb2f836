package dev.lethe.keys;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.KeyRotation;
import dev.lethe.crypto.KeyRotation.Destruction;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key epochs on a schedule (promise 3, docs/keys.md): every account's data key gets a new epoch
 * once its newest has served {@link #interval}, every subject and hold key is re-wrapped under
 * it, and the old epoch is destroyed, so a wrapped key left in a backup or in old database pages
 * no longer opens.
 *
 * <p>An old epoch may be destroyed only {@link dev.lethe.crypto.Keyring#NEW_EPOCH_ADOPTED_WITHIN}
 * after the new one was made (another server may still wrap new keys under it until then). So a
 * round takes two runs of the job: the run that makes the new epoch re-wraps and finds the
 * old one {@code TOO_SOON}; the next run re-wraps whatever was written under it meanwhile and
 * destroys it. The job runs every {@link #tick}, at most an hour, so an old epoch is gone within
 * an hour of its successor; the schedule itself is the newest epoch's age, read from the database,
 * so it survives restarts and holds across servers.
 */
public final class KeyEpochs {

    /** How long an epoch wraps new keys before the next one replaces it, unless configured otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofDays(30);

    /** The longest wait between two runs of the job, whatever the interval. */
    public static final Duration MAX_TICK = Duration.ofHours(1);

    /** Keys re-wrapped per transaction. */
    static final int PAGE = 1000;

    private static final Logger log = LoggerFactory.getLogger(KeyEpochs.class);

    /**
     * What one run did for one account.
     *
     * @param accountId the account
     * @param started the epoch this run made, if the newest had served its interval
     * @param rewrapped subject and hold keys moved to the newest epoch
     * @param destroyed old epochs whose key is gone now
     * @param waiting old epochs left for the next run (made too recently, or still in use)
     */
    public record Round(
            String accountId,
            Optional<Integer> started,
            long rewrapped,
            List<Integer> destroyed,
            List<Integer> waiting) {}

    private final KeyRotation rotation;
    private final Supplier<List<String>> accounts;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration interval;
    private final MeterRegistry metrics;
    private final Map<String, AtomicLong> lastRotation = new ConcurrentHashMap<>();

    public KeyEpochs(
            KeyRotation rotation,
            Supplier<List<String>> accounts,
            AuditLog audit,
            Clock clock,
            Duration interval,
            MeterRegistry metrics) {
        this.rotation = rotation;
        this.accounts = accounts;
        this.audit = audit;
        this.clock = clock;
        this.interval = positive(interval);
        this.metrics = metrics;
    }

    /** How long an epoch wraps new keys. */
    public Duration interval() {
        return interval;
    }

    /** How often the job runs for this interval: the interval itself, at most {@link #MAX_TICK}. */
    public static Duration tick(Duration interval) {
        return positive(interval).compareTo(MAX_TICK) < 0 ? interval : MAX_TICK;
    }

    /** The job's work: a round for every account; one account's failure does not stop the others. */
    public void rotateEveryAccount() {
        for (String accountId : accounts.get()) {
            try {
                rotate(accountId);
            } catch (RuntimeException e) {
                log.warn(
                        "key epoch round failed; it is taken up at the next run {} {} {}",
                        kv("account", accountId),
                        kv("error", e.getClass().getName()),
                        kv("reason", e.getMessage()));
            }
        }
    }

    /**
     * One account's round: finishes the rounds begun before (re-wraps and destroys older epochs),
     * then begins a new one if the newest epoch has served its interval. An account without a
     * data key (no subject yet) has nothing to rotate.
     */
    public Round rotate(String accountId) {
        var found = rotation.epochs(accountId);
        if (found.isEmpty()) return new Round(accountId, Optional.empty(), 0, List.of(), List.of());
        var epochs = found.get();
        long rewrapped = 0;
        var destroyed = new ArrayList<Integer>();
        var waiting = new ArrayList<Integer>();
        for (int old : epochs.older()) {
            rewrapped += rotation.rewrap(accountId, old, PAGE);
            destroy(accountId, old, destroyed, waiting);
        }
        Optional<Integer> started = Optional.empty();
        if (!clock.instant().isBefore(epochs.newestMadeAt().plus(interval))) {
            int next = rotation.newEpoch(accountId);
            long moved = rotation.rewrap(accountId, epochs.newest(), PAGE);
            rewrapped += moved;
            started = Optional.of(next);
            audit.append(AuditEvent.ok(
                    accountId,
                    Actor.SYSTEM,
                    "key.epoch_start",
                    List.of("key_epoch:" + next),
                    Map.of("previous", epochs.newest(), "rewrapped", moved)));
            destroy(accountId, epochs.newest(), destroyed, waiting);
        }
        if (started.isPresent() || !destroyed.isEmpty()) {
            log.info(
                    "key epochs rotated {} {} {} {} {}",
                    kv("account", accountId),
                    kv("started", started.orElse(null)),
                    kv("rewrapped", rewrapped),
                    kv("destroyed", destroyed),
                    kv("waiting", waiting));
        }
        return new Round(accountId, started, rewrapped, List.copyOf(destroyed), List.copyOf(waiting));
    }

    private void destroy(String accountId, int epoch, List<Integer> destroyed, List<Integer> waiting) {
        Destruction outcome = rotation.destroyEpoch(accountId, epoch);
        switch (outcome) {
            case DESTROYED -> {
                destroyed.add(epoch);
                audit.append(AuditEvent.ok(
                        accountId, Actor.SYSTEM, "key.epoch_destroy", List.of("key_epoch:" + epoch), Map.of()));
                lastRotation(accountId).set(clock.instant().getEpochSecond());
            }
            case TOO_SOON, IN_USE -> waiting.add(epoch);
            case NO_SUCH_EPOCH, NEWEST_EPOCH -> {} // another server finished it, or began a round meanwhile
        }
    }

    /** The gauge of when the account's last round ended (its old epoch destroyed), in epoch seconds. */
    private AtomicLong lastRotation(String accountId) {
        return lastRotation.computeIfAbsent(accountId, id -> {
            var holder = new AtomicLong();
            Gauge.builder("lethe_key_epoch_last_rotation_seconds", holder, AtomicLong::get)
                    .description("When the account's last key epoch round ended: its old epoch destroyed (Unix time)")
                    .tag("account", id)
                    .register(metrics);
            return holder;
        });
    }

    private static Duration positive(Duration d) {
        Objects.requireNonNull(d, "interval");
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("the key epoch interval must be positive");
        return d;
    }
}
