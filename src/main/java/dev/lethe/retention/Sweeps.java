package dev.lethe.retention;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyReader;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.PolicyVersion;
import dev.lethe.storage.Ids;
import dev.lethe.storage.SqlStates;
import dev.lethe.storage.Transactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention sweeps: each account's data judged against the policy in force, now (scheduled every
 * {@code --sweep-interval}, or asked for with {@code POST /v1/sweeps}), or previewed for any date
 * under the policy in force or a proposed one. A live sweep takes the account's lease (one sweeper
 * per account across every server), records itself, applies every rule in bounded batches — each
 * batch's counts written in its own transaction — and ends with an audit entry. A preview runs the
 * same {@link Sweeper} with the same {@link HoldFilter} inside one transaction that is rolled back,
 * so it shows exactly what the sweep will do, and changes nothing.
 */
public final class Sweeps {

    private static final Logger log = LoggerFactory.getLogger(Sweeps.class);

    /** The most sweeps one page lists. */
    public static final int MAX_PAGE = 100;

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final JdbcSweepStore store = new JdbcSweepStore();
    private final PolicyService policies;
    private final AccountService accounts;
    private final LegalHolds holds;
    private final Sweeper sweeper;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Duration lease;
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    public Sweeps(
            Jdbi jdbi,
            Transactions transactions,
            PolicyService policies,
            AccountService accounts,
            LegalHolds holds,
            dev.lethe.subjects.SubjectDirectory subjects,
            dev.lethe.subjects.SubjectRemoval removal,
            dev.lethe.crypto.Keyring keyring,
            Duration sessionTimeout,
            Duration lease,
            AuditLog audit,
            Ids ids,
            Clock clock,
            MeterRegistry metrics) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.policies = policies;
        this.accounts = accounts;
        this.holds = holds;
        this.sweeper = new Sweeper(
                subjects,
                removal,
                keyring,
                sessionTimeout,
                Sweeper.BATCH,
                new MonthDrops(dev.lethe.activity.Partitions.DEFAULT_MONTHS_BACK));
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
        this.metrics = metrics;
        this.lease = lease;
        jdbi.useHandle(h -> store.lastSuccesses(h).forEach(this::succeeded));
    }

    /**
     * A sweep to run: live (now, the policy in force) or a preview ({@code dryRun}) for any {@code
     * asOf} under the policy in force or a proposed one ({@code policy}, YAML or JSON text).
     *
     * @param account the account, for an operator key; an admin key sweeps its own
     */
    public record Order(boolean dryRun, Instant asOf, String policy, String account) {}

    /** Runs or previews a sweep for the caller's account (admin), or any account (operator). */
    public SweepReport run(Caller caller, Order order) {
        String accountId = accountOf(caller, order.account());
        var errors = new ArrayList<FieldError>();
        if (!order.dryRun() && order.asOf() != null)
            errors.add(
                    new FieldError("asOf", "is for a preview (dryRun: true); a live sweep judges the data as of now"));
        if (!order.dryRun() && order.policy() != null)
            errors.add(new FieldError(
                    "policy", "is for a preview (dryRun: true); a live sweep applies the policy in force"));
        Policy proposed = null;
        if (order.policy() != null) {
            String text = order.policy().strip();
            var read = PolicyReader.read(text, text.startsWith("{"));
            read.errors()
                    .forEach(e -> errors.add(
                            new FieldError(e.path().isEmpty() ? "policy" : "policy." + e.path(), e.message())));
            if (read.ok()) proposed = read.policy();
        }
        if (!errors.isEmpty()) throw new InvalidInputException("The sweep cannot run as asked.", errors);
        if (order.dryRun()) {
            var report = preview(
                    accountId, order.asOf() == null ? clock.instant() : order.asOf(), Optional.ofNullable(proposed));
            audit.append(AuditEvent.ok(
                    accountId,
                    caller.actor(),
                    "retention.preview",
                    List.of("account:" + accountId),
                    Map.of("asOf", report.asOf().toString(), "proposedPolicy", proposed != null)));
            return report;
        }
        try {
            return sweep(accountId, caller.actor());
        } catch (JdbcSweepStore.Busy busy) {
            throw new ConflictException(
                    "A sweep of this account is running; its report will be at GET /v1/sweeps/" + busy.sweepId + ".",
                    List.of(new FieldError("", "sweep " + busy.sweepId + " is running")));
        }
    }

    private static String accountOf(Caller caller, String account) {
        if (caller.isOperator()) {
            if (account == null || !Ids.isId(account))
                throw new InvalidInputException(
                        "An operator names the account to sweep.",
                        List.of(new FieldError("account", "is required with an operator key: an account id")));
            return account;
        }
        AccountService.requireScope(caller, Scope.ADMIN);
        if (account != null && !account.equals(caller.accountId()))
            throw new InvalidInputException(
                    "An account key sweeps its own account.",
                    List.of(new FieldError("account", "is not this key's account; leave it out")));
        return caller.accountId();
    }

    /** The sweeps of the caller's account, newest first. */
    public List<SweepReport> list(Caller caller, int limit) {
        AccountService.requireScope(caller, Scope.READ);
        int n = Math.max(1, Math.min(limit, MAX_PAGE));
        return jdbi.withHandle(h -> store.list(h, caller.accountId(), null, null, n).stream()
                .map(r -> report(h, caller.accountId(), r))
                .toList());
    }

    /** One sweep of the caller's account. */
    public SweepReport get(Caller caller, String sweepId) {
        AccountService.requireScope(caller, Scope.READ);
        return find(caller.accountId(), sweepId).orElseThrow(() -> new NotFoundException("No such sweep."));
    }

    /** One sweep of an account, if it exists. */
    public Optional<SweepReport> find(String accountId, String sweepId) {
        if (!Ids.isId(sweepId)) return Optional.empty();
        return jdbi.withHandle(h -> store.find(h, accountId, sweepId).map(r -> report(h, accountId, r)));
    }

    private SweepReport report(Handle h, String accountId, JdbcSweepStore.Row r) {
        var rules = store.rules(h, accountId, r.sweepId());
        return new SweepReport(
                r.sweepId(),
                r.status(),
                false,
                r.asOf(),
                r.startedAt(),
                r.finishedAt(),
                r.startedBy(),
                r.policyVersion(),
                r.error(),
                SweepReport.Totals.of(rules),
                rules);
    }

    /** The scheduled run: every account with a policy, one after another; one failing does not stop the rest. */
    public void sweepEveryAccount() {
        for (String accountId : accounts.accountIds()) {
            if (policies.inForce(accountId).isEmpty()) continue;
            try {
                sweep(accountId, new Actor("scheduler", null));
            } catch (JdbcSweepStore.Busy busy) {
                log.info("sweep skipped {} {}", kv("account", accountId), kv("running", busy.sweepId));
            } catch (RuntimeException e) {
                // recorded, logged and counted by sweep(); the next account still gets its sweep
            }
        }
    }

    /** A live sweep of one account, now, under the policy in force. */
    public SweepReport sweep(String accountId, Actor actor) {
        PolicyVersion version = policies.inForce(accountId)
                .orElseThrow(() -> new NotFoundException("This account has no policy yet: PUT /v1/policy first."));
        Instant now = clock.instant();
        String sweepId = ids.next();
        transactions.useTransaction(h -> {
            store.acquire(h, accountId, sweepId, now, now.plus(lease))
                    .ifPresent(previous -> store.interrupted(h, accountId, previous, now));
            store.insert(h, accountId, sweepId, now, now, actor.id(), version.version());
        });
        long started = System.nanoTime();
        String status = "succeeded";
        String error = null;
        try {
            var account = accounts.account(accountId);
            endHolds(accountId, now);
            var filter = jdbi.withHandle(h -> holds.filter(h, accountId, now));
            var scope = new Sweeper.Scope(accountId, now, version.policy(), filter, account.contractEndedAt());
            var rules = SweepRule.of(version.policy());
            for (int i = 0; i < rules.size(); i++) {
                var rule = rules.get(i);
                int position = i;
                long t0 = System.nanoTime();
                var live = new LiveBatches(accountId, sweepId, position, rule);
                jdbi.useHandle(reader -> sweeper.apply(reader, scope, rule, live));
                long millis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
                transactions.useTransaction(h -> store.add(
                        h,
                        accountId,
                        sweepId,
                        position,
                        rule.name(),
                        rule.action().wireName(),
                        0,
                        0,
                        0,
                        millis));
            }
        } catch (RuntimeException e) {
            status = "failed";
            error = SqlStates.describe(e);
            metrics.counter("lethe_sweep_failures_total").increment();
            log.error("sweep failed {} {} {}", kv("account", accountId), kv("sweep", sweepId), kv("error", error));
            throw e;
        } finally {
            Instant finished = clock.instant();
            String s = status;
            String err = error;
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            Timer.builder("lethe_sweep_duration_seconds")
                    .description("How long a live retention sweep of one account took")
                    .tag("outcome", s)
                    .register(metrics)
                    .record(took);
            transactions.useTransaction(h -> {
                store.finish(h, accountId, sweepId, s, finished, err);
                store.release(h, accountId, sweepId);
                var rules = store.rules(h, accountId, sweepId);
                var totals = SweepReport.Totals.of(rules);
                var detail = new LinkedHashMap<String, Object>();
                detail.put("status", s);
                detail.put("asOf", now.toString());
                detail.put("policyVersion", version.version());
                detail.put("affected", totals.affected());
                detail.put("derived", totals.derived());
                detail.put("held", totals.held());
                audit.append(
                        h,
                        new AuditEvent(
                                accountId,
                                actor.id(),
                                actor.source(),
                                "retention.sweep",
                                List.of("sweep:" + sweepId),
                                s.equals("succeeded") ? "ok" : "failed",
                                detail));
            });
            if (s.equals("succeeded")) succeeded(accountId, finished);
            log.info(
                    "sweep finished {} {} {} {}",
                    kv("account", accountId),
                    kv("sweep", sweepId),
                    kv("status", s),
                    kv("millis", took.toMillis()));
        }
        return find(accountId, sweepId).orElseThrow();
    }

    /** Holds whose end has passed are ended for good: what an erasure kept under them is destroyed. */
    private void endHolds(String accountId, Instant now) {
        holds.endPassed(accountId, now);
    }

    /**
     * A preview: what a sweep would do at {@code asOf} under the policy in force or {@code
     * proposed}, computed by running the sweep in one transaction that is rolled back.
     */
    public SweepReport preview(String accountId, Instant asOf, Optional<Policy> proposed) {
        var version = policies.inForce(accountId);
        Policy policy = proposed.or(() -> version.map(PolicyVersion::policy))
                .orElseThrow(() -> new NotFoundException("This account has no policy yet: PUT /v1/policy first."));
        Instant started = clock.instant();
        var account = accounts.account(accountId);
        var reports = new ArrayList<SweepReport.RuleReport>();
        jdbi.useHandle(h -> {
            h.begin();
            try {
                var scope = new Sweeper.Scope(
                        accountId, asOf, policy, holds.filter(h, accountId, asOf), account.contractEndedAt());
                for (var rule : SweepRule.of(policy)) {
                    long t0 = System.nanoTime();
                    var counted = new PreviewBatches(h);
                    sweeper.apply(h, scope, rule, counted);
                    reports.add(counted.report(
                            rule, Duration.ofNanos(System.nanoTime() - t0).toMillis()));
                }
            } finally {
                h.rollback();
            }
        });
        return new SweepReport(
                null,
                "preview",
                true,
                asOf,
                started,
                clock.instant(),
                null,
                proposed.isPresent()
                        ? null
                        : version.map(PolicyVersion::version).orElse(null),
                null,
                SweepReport.Totals.of(reports),
                reports);
    }

    /** Each batch in a transaction of its own, with its counts, renewing the lease. */
    private final class LiveBatches implements Sweeper.Batches {
        private final String accountId;
        private final String sweepId;
        private final int position;
        private final SweepRule rule;

        LiveBatches(String accountId, String sweepId, int position, SweepRule rule) {
            this.accountId = accountId;
            this.sweepId = sweepId;
            this.position = position;
            this.rule = rule;
        }

        @Override
        public Sweeper.Counts run(String ruleName, Function<Handle, Sweeper.Counts> work) {
            var counts = transactions.inTransaction(h -> {
                if (!store.renew(h, accountId, sweepId, clock.instant().plus(lease)))
                    throw new IllegalStateException("the sweep lost its lease");
                var c = work.apply(h);
                if (c.affected() > 0 || c.derived() > 0)
                    store.add(
                            h,
                            accountId,
                            sweepId,
                            position,
                            ruleName,
                            rule.action().wireName(),
                            c.affected(),
                            c.derived(),
                            0,
                            0);
                return c;
            });
            if (counts.affected() > 0)
                Counter.builder("lethe_sweep_rows_total")
                        .description("Rows deleted, anonymised or summarised by retention sweeps, per rule and action")
                        .tag("rule", ruleName)
                        .tag("action", rule.action().wireName())
                        .register(metrics)
                        .increment(counts.affected());
            return counts;
        }

        @Override
        public void held(String ruleName, Map<String, Long> byHold) {
            if (byHold.isEmpty()) return;
            transactions.useTransaction(h -> {
                long total = 0;
                for (var e : byHold.entrySet()) {
                    store.addHeld(h, accountId, sweepId, ruleName, e.getKey(), e.getValue());
                    total += e.getValue();
                }
                store.add(
                        h, accountId, sweepId, position, ruleName, rule.action().wireName(), 0, 0, total, 0);
            });
        }
    }

    /** Every batch inside the preview's one transaction; counts kept in memory. */
    private static final class PreviewBatches implements Sweeper.Batches {
        private final Handle handle;
        private Sweeper.Counts counts = Sweeper.Counts.NONE;
        private final Map<String, Long> held = new LinkedHashMap<>();

        PreviewBatches(Handle handle) {
            this.handle = handle;
        }

        @Override
        public Sweeper.Counts run(String rule, Function<Handle, Sweeper.Counts> work) {
            var c = work.apply(handle);
            counts = counts.plus(c);
            return c;
        }

        @Override
        public void held(String rule, Map<String, Long> byHold) {
            byHold.forEach((hold, n) -> held.merge(hold, n, Long::sum));
        }

        @Override
        public boolean preview() {
            return true;
        }

        SweepReport.RuleReport report(SweepRule rule, long millis) {
            return new SweepReport.RuleReport(
                    rule.name(),
                    rule.action().wireName(),
                    counts.affected(),
                    counts.derived(),
                    held.values().stream().mapToLong(Long::longValue).sum(),
                    held.entrySet().stream()
                            .sorted(Map.Entry.comparingByKey())
                            .map(e -> new SweepReport.HeldBy(e.getKey(), e.getValue()))
                            .toList(),
                    millis);
        }
    }

    private void succeeded(String accountId, Instant at) {
        lastSuccess
                .computeIfAbsent(accountId, a -> {
                    var holder = new AtomicLong();
                    Gauge.builder("lethe_sweep_last_success_seconds", holder, AtomicLong::get)
                            .description("When the account's last successful retention sweep finished (Unix seconds)")
                            .tag("account", a)
                            .register(metrics);
                    return holder;
                })
                .accumulateAndGet(at.getEpochSecond(), Math::max);
    }
}
