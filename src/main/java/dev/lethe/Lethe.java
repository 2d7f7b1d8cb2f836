package dev.lethe;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.BootstrapKeyFile;
import dev.lethe.accounts.JdbcAccountStore;
import dev.lethe.accounts.KeyMaterial;
import dev.lethe.activity.ActivityStore;
import dev.lethe.activity.Campaigns;
import dev.lethe.activity.JdbcActivityStore;
import dev.lethe.activity.JdbcMessageStore;
import dev.lethe.activity.JdbcStatisticsStore;
import dev.lethe.activity.MessageService;
import dev.lethe.activity.Partitions;
import dev.lethe.activity.StatisticsRollUp;
import dev.lethe.activity.Timeline;
import dev.lethe.activity.TrackService;
import dev.lethe.audit.AuditLog;
import dev.lethe.audit.JdbcAuditStore;
import dev.lethe.consent.Consents;
import dev.lethe.crypto.JdbcKeyStore;
import dev.lethe.crypto.KeyRotation;
import dev.lethe.crypto.Keyring;
import dev.lethe.crypto.KeysetMasterKey;
import dev.lethe.erasure.ErasureJournal;
import dev.lethe.erasure.Erasures;
import dev.lethe.erasure.Purge;
import dev.lethe.goals.GoalService;
import dev.lethe.goals.JdbcGoalStore;
import dev.lethe.http.HttpServer;
import dev.lethe.imports.Imports;
import dev.lethe.jobs.JobService;
import dev.lethe.jobs.Jobs;
import dev.lethe.keys.KeyEpochs;
import dev.lethe.outbox.Outbox;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.outbox.Webhooks;
import dev.lethe.profiles.CriteriaCheck;
import dev.lethe.profiles.Identification;
import dev.lethe.profiles.JdbcProfileStore;
import dev.lethe.profiles.JdbcSegmentStore;
import dev.lethe.profiles.ProfileIndexes;
import dev.lethe.profiles.ProfileLists;
import dev.lethe.profiles.ProfileMerge;
import dev.lethe.profiles.ProfileMerges;
import dev.lethe.profiles.ProfileViews;
import dev.lethe.profiles.Profiles;
import dev.lethe.profiles.Rectification;
import dev.lethe.profiles.SegmentReferences;
import dev.lethe.profiles.SegmentStore;
import dev.lethe.profiles.Segments;
import dev.lethe.profiles.Shredding;
import dev.lethe.profiles.Tags;
import dev.lethe.registry.JdbcPolicyStore;
import dev.lethe.registry.PolicyService;
import dev.lethe.requests.AccessPackages;
import dev.lethe.requests.ConsentSection;
import dev.lethe.requests.JdbcRequestStore;
import dev.lethe.requests.RequestMetrics;
import dev.lethe.requests.Requests;
import dev.lethe.requests.ServerActions;
import dev.lethe.requests.VerificationCodes;
import dev.lethe.retention.JdbcLegalHoldStore;
import dev.lethe.retention.LegalHolds;
import dev.lethe.retention.Sweeps;
import dev.lethe.storage.Database;
import dev.lethe.storage.DatabaseSettings;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.JdbcSubjectStore;
import dev.lethe.subjects.Restrictions;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.SubjectRemoval;
import dev.lethe.subscriptions.SubprocessorSubscriptions;
import dev.lethe.transfer.BulkDeletions;
import dev.lethe.transfer.Exports;
import dev.lethe.transfer.TransferSettings;
import dev.lethe.values.JdbcValueStore;
import dev.lethe.values.PersonalValues;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every service with plain constructors from the settings, and
 * starts the HTTP API. Time and randomness come in from outside, so tests control both.
 */
public final class Lethe implements AutoCloseable {

    /**
     * Everything Lethe needs to know to start.
     *
     * @param sweepInterval how often the retention sweeps run, {@link #MIN_SWEEP_INTERVAL} to {@link
     *     #MAX_SWEEP_INTERVAL}
     * @param jobs how the background jobs are polled and run
     * @param sweepLease how long a sweep holds its account's lease without a batch renewing it, {@link
     *     #MIN_SWEEP_LEASE} to {@link #MAX_SWEEP_LEASE}: how soon another server (or this one,
     *     restarted) takes over the account's sweeps after a server died in the middle of one
     * @param outbox how notifications are delivered (SMTP) and how long their content is kept
     * @param keyEpochInterval how long an account data-key epoch wraps new keys before the next
     *     one replaces it and it is destroyed
     * @param erasureJournal the erasure journal's file; null for {@code erasure-journal} in the data
     *     directory (docs/erasure.md)
     */
    public record Config(
            Path dataDir,
            DatabaseSettings database,
            HttpServer.Settings http,
            Optional<String> bootstrapKey,
            Optional<String> masterKey,
            Duration sessionTimeout,
            Duration sweepInterval,
            Jobs.Settings jobs,
            Duration sweepLease,
            OutboxSettings outbox,
            Duration keyEpochInterval,
            Path erasureJournal,
            TransferSettings transfers) {

        public Config {
            if (sweepInterval == null
                    || sweepInterval.compareTo(MIN_SWEEP_INTERVAL) < 0
                    || sweepInterval.compareTo(MAX_SWEEP_INTERVAL) > 0) {
                throw new IllegalArgumentException("the sweep interval must be " + MIN_SWEEP_INTERVAL + " to "
                        + MAX_SWEEP_INTERVAL + ", not " + sweepInterval);
            }
            Objects.requireNonNull(jobs, "jobs");
            if (sweepLease == null
                    || sweepLease.compareTo(MIN_SWEEP_LEASE) < 0
                    || sweepLease.compareTo(MAX_SWEEP_LEASE) > 0) {
                throw new IllegalArgumentException("the sweep lease must be " + MIN_SWEEP_LEASE + " to "
                        + MAX_SWEEP_LEASE + ", not " + sweepLease);
            }
            Objects.requireNonNull(outbox, "outbox");
            if (keyEpochInterval == null || keyEpochInterval.compareTo(MIN_KEY_EPOCH_INTERVAL) < 0) {
                throw new IllegalArgumentException("the key epoch interval must be at least " + MIN_KEY_EPOCH_INTERVAL
                        + ", not " + keyEpochInterval);
            }
            Objects.requireNonNull(transfers, "transfers");
        }

        /**
         * The defaults for everything but where the data is, how to serve and the bootstrap key:
         * master key file under the data directory, 30-minute sessions, sweeps every {@link
         * #DEFAULT_SWEEP_INTERVAL} with a lease of {@link #DEFAULT_SWEEP_LEASE}, jobs polled as
         * {@link Jobs.Settings#DEFAULT}, no SMTP server, monthly key epochs, the erasure journal in
         * the data directory, {@link TransferSettings#DEFAULT}.
         */
        public Config(
                Path dataDir, DatabaseSettings database, HttpServer.Settings http, Optional<String> bootstrapKey) {
            this(
                    dataDir,
                    database,
                    http,
                    bootstrapKey,
                    Optional.empty(),
                    DEFAULT_SESSION_TIMEOUT,
                    DEFAULT_SWEEP_INTERVAL,
                    Jobs.Settings.DEFAULT,
                    DEFAULT_SWEEP_LEASE,
                    OutboxSettings.DEFAULT,
                    KeyEpochs.DEFAULT_INTERVAL,
                    null,
                    TransferSettings.DEFAULT);
        }

        /** A builder holding this configuration's values, to change some of them. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /** The same configuration, sweeping this often. */
        public Config withSweepInterval(Duration value) {
            return toBuilder().sweepInterval(value).build();
        }

        /** The same configuration, with these job settings (tests poll often). */
        public Config withJobs(Jobs.Settings value) {
            return toBuilder().jobs(value).build();
        }

        /** The same configuration, with sweeps holding their lease this long. */
        public Config withSweepLease(Duration value) {
            return toBuilder().sweepLease(value).build();
        }

        /** The same configuration, with these outbox settings (an SMTP server, say). */
        public Config withOutbox(OutboxSettings value) {
            return toBuilder().outbox(value).build();
        }

        /** The same configuration, with key epochs this long. */
        public Config withKeyEpochInterval(Duration value) {
            return toBuilder().keyEpochInterval(value).build();
        }

        /** The same configuration, with the erasure journal in this file. */
        public Config withErasureJournal(Path value) {
            return toBuilder().erasureJournal(value).build();
        }

        /** The same configuration, with these import/export settings. */
        public Config withTransfers(TransferSettings value) {
            return toBuilder().transfers(value).build();
        }

        /**
         * A configuration one setting at a time: starts from {@link Config#toBuilder()}; {@link
         * #build()} checks the whole as the record does.
         */
        public static final class Builder {
            private Path dataDir;
            private DatabaseSettings database;
            private HttpServer.Settings http;
            private Optional<String> bootstrapKey;
            private Optional<String> masterKey;
            private Duration sessionTimeout;
            private Duration sweepInterval;
            private Jobs.Settings jobs;
            private Duration sweepLease;
            private OutboxSettings outbox;
            private Duration keyEpochInterval;
            private Path erasureJournal;
            private TransferSettings transfers;

            private Builder(Config c) {
                dataDir = c.dataDir;
                database = c.database;
                http = c.http;
                bootstrapKey = c.bootstrapKey;
                masterKey = c.masterKey;
                sessionTimeout = c.sessionTimeout;
                sweepInterval = c.sweepInterval;
                jobs = c.jobs;
                sweepLease = c.sweepLease;
                outbox = c.outbox;
                keyEpochInterval = c.keyEpochInterval;
                erasureJournal = c.erasureJournal;
                transfers = c.transfers;
            }

            public Builder masterKey(Optional<String> value) {
                masterKey = value;
                return this;
            }

            public Builder sessionTimeout(Duration value) {
                sessionTimeout = value;
                return this;
            }

            public Builder sweepInterval(Duration value) {
                sweepInterval = value;
                return this;
            }

            public Builder jobs(Jobs.Settings value) {
                jobs = value;
                return this;
            }

            public Builder sweepLease(Duration value) {
                sweepLease = value;
                return this;
            }

            public Builder outbox(OutboxSettings value) {
                outbox = value;
                return this;
            }

            public Builder keyEpochInterval(Duration value) {
                keyEpochInterval = value;
                return this;
            }

            public Builder erasureJournal(Path value) {
                erasureJournal = value;
                return this;
            }

            public Builder transfers(TransferSettings value) {
                transfers = value;
                return this;
            }

            public Config build() {
                return new Config(
                        dataDir,
                        database,
                        http,
                        bootstrapKey,
                        masterKey,
                        sessionTimeout,
                        sweepInterval,
                        jobs,
                        sweepLease,
                        outbox,
                        keyEpochInterval,
                        erasureJournal,
                        transfers);
            }
        }

        /** Where the erasure journal is: the file given, else {@code erasure-journal} in the data directory. */
        public Path journalFile() {
            return erasureJournal != null ? erasureJournal : dataDir.resolve(ERASURE_JOURNAL);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Lethe.class);

    /** How often count deltas are folded into daily totals. */
    static final Duration COUNT_ROLL_UP = Duration.ofMinutes(5);

    /** A visit ends after this long without an event, unless configured otherwise. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(30);

    /** How often the retention sweeps run, unless configured otherwise. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(15);

    /** The shortest sweep interval: more often would only poll the database for nothing. */
    public static final Duration MIN_SWEEP_INTERVAL = Duration.ofSeconds(1);

    /** The longest sweep interval: data must not outlive its period by more than a day. */
    public static final Duration MAX_SWEEP_INTERVAL = Duration.ofDays(1);

    /** How long a sweep's lease lasts without a batch renewing it, unless configured otherwise. */
    public static final Duration DEFAULT_SWEEP_LEASE = Duration.ofMinutes(2);

    /**
     * The shortest sweep lease: a batch renews it as it starts, so a lease shorter than one batch
     * takes would let a second server start sweeping the account while the first is still at work.
     */
    public static final Duration MIN_SWEEP_LEASE = Duration.ofSeconds(1);

    /** The longest sweep lease: an account's sweeps stop for this long after its sweeper died. */
    public static final Duration MAX_SWEEP_LEASE = Duration.ofHours(1);

    /** The job that sweeps every account's expired data, every {@code --sweep-interval}. */
    public static final String RETENTION_SWEEP_JOB = "retention-sweep";

    /** The shortest key epoch interval (tests use seconds; a real one is weeks or months). */
    public static final Duration MIN_KEY_EPOCH_INTERVAL = Duration.ofSeconds(1);

    /** The job that sends due outbox messages and drops content past its retention. */
    public static final String OUTBOX_JOB = "outbox-delivery";

    /** The job that rotates every account's data-key epoch once it has served its interval. */
    public static final String KEY_EPOCHS_JOB = "key-epochs";

    /** The job that counts overdue data-subject requests for the metric, every minute. */
    public static final String REQUESTS_OVERDUE_JOB = "requests-overdue";

    /**
     * The job that reminds requesters who have not given their verification code (once, after
     * three days) and rejects their requests after thirty (see {@code Requests#chaseVerifications}).
     */
    public static final String REQUESTS_VERIFICATION_JOB = "requests-verification";

    /** The job that deletes sub-processor subscriptions not confirmed within seven days, hourly. */
    public static final String SUBSCRIPTIONS_JOB = "subprocessor-subscriptions";

    /** The job that makes the months of event partitions ahead, once a day. */
    public static final String EVENT_PARTITIONS_JOB = "event-partitions";

    /** The background job that finishes erasures a crash cut short and expires suppression entries. */
    public static final String ERASURE_PURGE_JOB = "erasure-purge";

    /** The erasure journal's file name in the data directory, unless set elsewhere. */
    public static final String ERASURE_JOURNAL = "erasure-journal";

    private final Database database;
    private final AuditLog audit;
    private final StatisticsRollUp rollUp;
    private final AccountService accounts;
    private final PolicyService policies;
    private final Keyring keyring;
    private final Outbox outbox;
    private final Webhooks webhooks;
    private final KeyEpochs keyEpochs;
    private final LegalHolds legalHolds;
    private final Sweeps sweeps;
    private final Erasures erasures;
    private final Requests requests;
    private final Profiles profiles;
    private final HttpServer http;
    private final Partitions partitions;
    private final Jobs jobs;
    private final JobService transferJobs;
    private final Optional<String> newBootstrapKey;
    private final Path bootstrapKeyFile;

    private Lethe(Config config, Clock clock, SecureRandom random) {
        this.database = Database.open(config.database());
        try {
            var jdbi = database.jdbi();
            var masterKey =
                    KeysetMasterKey.load(config.masterKey(), config.dataDir().resolve("master-key.json"));
            var ids = new Ids(random, clock);
            var keyStore = new JdbcKeyStore(clock);
            this.keyring = new Keyring(jdbi, keyStore, masterKey, ids);
            keyring.checkMasterKey();
            this.audit = new AuditLog(jdbi, new JdbcAuditStore(), masterKey, random, clock);
            this.accounts = new AccountService(jdbi, new JdbcAccountStore(), audit, new KeyMaterial(random), clock);
            // saved segments name goals and custom fields: neither is deleted under them
            var segments = new JdbcSegmentStore();
            var segmentReferences = new SegmentReferences(segments);
            this.policies = new PolicyService(jdbi, new JdbcPolicyStore(), accounts, audit, segmentReferences, clock);
            this.bootstrapKeyFile = bootstrapKeyFile(config.dataDir(), config.database());
            // the file is written inside the transaction that makes the key: if it cannot be
            // (it exists already), no key is made and the start stops saying why
            this.newBootstrapKey = accounts.bootstrapOperator(
                    config.bootstrapKey(), key -> BootstrapKeyFile.create(bootstrapKeyFile, key));
            newBootstrapKey.ifPresent(key -> log.info(
                    "bootstrap operator key created {} {}",
                    kv("file", bootstrapKeyFile.toAbsolutePath().toString()),
                    kv("mode", "0600")));
            var metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(metrics);
            new JvmGcMetrics().bindTo(metrics);
            new JvmThreadMetrics().bindTo(metrics);
            new ProcessorMetrics().bindTo(metrics);
            new UptimeMetrics().bindTo(metrics);
            // written by features in their own transactions, delivered by the outbox job
            this.outbox = new Outbox(jdbi, database.dialect(), keyring, audit, ids, clock, config.outbox(), metrics);
            // webhooks ride the outbox; a policy version that changes processors tells subscribers
            this.webhooks = new Webhooks(
                    jdbi,
                    keyring,
                    outbox,
                    policies,
                    audit,
                    ids,
                    random,
                    clock,
                    config.outbox().webhooks());
            var subscriptions = new SubprocessorSubscriptions(
                    jdbi,
                    keyring,
                    outbox,
                    webhooks,
                    audit,
                    ids,
                    random,
                    clock,
                    config.outbox().webhooks());
            policies.onPublished(subscriptions);
            this.keyEpochs = new KeyEpochs(
                    new KeyRotation(jdbi, keyStore, keyring, clock),
                    accounts::accountIds,
                    audit,
                    clock,
                    config.keyEpochInterval(),
                    metrics);
            var subjects = new SubjectDirectory(new JdbcSubjectStore(), keyring, ids, clock);
            var suppressions = subjects.suppressions();
            var values = new PersonalValues(new JdbcValueStore(database.dialect()), keyring, ids);
            var activity = new JdbcActivityStore(database.dialect());
            this.partitions = new Partitions(
                    jdbi, database.dialect(), clock, Partitions.DEFAULT_MONTHS_BACK, Partitions.DEFAULT_MONTHS_AHEAD);
            // background jobs, kept in the database: one run at a time across every server on it
            this.jobs = new Jobs(database, config.jobs());
            jobs.recurring(EVENT_PARTITIONS_JOB, Duration.ofDays(1), partitions::prepareDaily);
            // one way for every writer on people to start over (docs/locks.md)
            var transactions = new Transactions(jdbi);
            // restrictions (GDPR Art. 18) are kept with the requests; ingest and lists ask them
            var requestStore = new JdbcRequestStore();
            // the consent ledger: ingest asks it before storing a consent-based value
            var consents = new Consents(transactions, subjects, policies, keyring, values, outbox, audit, ids, clock);
            var goals = new GoalService(
                    jdbi, transactions, subjects, new JdbcGoalStore(), values, segmentReferences, audit, ids, clock);
            this.profiles = profiles(
                    jdbi,
                    transactions,
                    subjects,
                    values,
                    activity,
                    goals,
                    segments,
                    consents,
                    requestStore::restrictedAmong,
                    ids,
                    clock,
                    config.sessionTimeout());
            var statistics = new JdbcStatisticsStore(database.dialect());
            this.rollUp = new StatisticsRollUp(jdbi, statistics);
            var track = new TrackService(
                    jdbi,
                    transactions,
                    activity,
                    statistics,
                    subjects,
                    values,
                    policies,
                    goals,
                    partitions,
                    consents,
                    audit,
                    ids,
                    clock,
                    config.sessionTimeout(),
                    requestStore::restrictedAmong);
            var messageStore = new JdbcMessageStore();
            var messages = new MessageService(
                    jdbi,
                    transactions,
                    messageStore,
                    statistics,
                    subjects,
                    values,
                    policies,
                    consents,
                    audit,
                    ids,
                    clock,
                    requestStore::restrictedAmong);
            this.legalHolds = new LegalHolds(
                    jdbi, new JdbcLegalHoldStore(), subjects.store(), policies, keyring, audit, ids, clock);
            this.sweeps = new Sweeps(
                    jdbi,
                    transactions,
                    policies,
                    accounts,
                    legalHolds,
                    subjects,
                    new SubjectRemoval(subjects.store(), keyring),
                    keyring,
                    config.sessionTimeout(),
                    config.sweepLease(),
                    audit,
                    ids,
                    clock,
                    metrics);
            var removal = new SubjectRemoval(subjects.store(), keyring);
            this.erasures = new Erasures(
                    jdbi,
                    transactions,
                    subjects,
                    keyring,
                    legalHolds,
                    policies,
                    suppressions,
                    new Purge(jdbi, transactions, subjects, removal, audit, clock),
                    new ErasureJournal(config.journalFile()),
                    audit,
                    ids,
                    clock,
                    webhooks);
            jobs.recurring(ERASURE_PURGE_JOB, Duration.ofMinutes(1), erasures::purgePending);
            // every account in turn, one sweeper per account across servers (its lease)
            jobs.recurring(RETENTION_SWEEP_JOB, config.sweepInterval(), sweeps::sweepEveryAccount);
            jobs.recurring(OUTBOX_JOB, config.outbox().deliveryInterval(), outbox::deliverDue);
            jobs.recurring(SUBSCRIPTIONS_JOB, Duration.ofHours(1), subscriptions::sweepUnconfirmed);
            // a round takes two runs (the old epoch outlives its successor's adoption bound): the
            // job looks at least hourly, and starts a round when an epoch has served its interval
            jobs.recurring(KEY_EPOCHS_JOB, KeyEpochs.tick(config.keyEpochInterval()), keyEpochs::rotateEveryAccount);
            var timeline = new Timeline(jdbi, subjects.store(), keyring, activity, messageStore, values, audit);
            // erasure, consent withdrawal and the outbox are other features' calls (RequestActions)
            this.requests = new Requests(
                    jdbi,
                    transactions,
                    requestStore,
                    subjects,
                    keyring,
                    values,
                    profiles.rectification(),
                    new ServerActions(erasures, consents, outbox, webhooks),
                    new VerificationCodes(random),
                    new RequestMetrics(metrics),
                    audit,
                    ids,
                    clock);
            var packages = new AccessPackages(
                    jdbi,
                    transactions,
                    requests,
                    subjects.store(),
                    keyring,
                    values,
                    timeline,
                    activity,
                    goals,
                    policies,
                    new JdbcAccountStore(),
                    audit,
                    List.of(new ConsentSection(consents)),
                    clock);
            jobs.recurring(REQUESTS_OVERDUE_JOB, Duration.ofMinutes(1), requests::refreshOverdue);
            jobs.recurring(REQUESTS_VERIFICATION_JOB, Duration.ofHours(1), requests::chaseVerifications);
            // imports, exports and bulk deletions: one-time runs on the same scheduler (docs/jobs.md)
            this.transferJobs = new JobService(
                    jdbi, jobs, keyring, audit, ids, clock, config.transfers().previewTtl());
            // exports: a CSV in the job's sealed file; erasing anyone in it withdraws the file
            var exports = new Exports(
                    jdbi,
                    transferJobs,
                    profiles,
                    values,
                    policies,
                    subjects,
                    requestStore::restrictedAmong,
                    new JdbcAccountStore(),
                    keyring,
                    outbox,
                    audit,
                    clock,
                    random,
                    config.transfers());
            erasures.onShred(exports::shredding);
            transferJobs.onEnded(webhooks::jobEnded);
            // bulk deletion: each person erased as an erasure request erases them (registers its work)
            var bulkDeletions = new BulkDeletions(
                    jdbi, transactions, transferJobs, erasures, subjects, audit, config.transfers(), clock);
            this.http = new HttpServer(
                    config.http(),
                    database,
                    new HttpServer.Features(
                            accounts,
                            policies,
                            audit,
                            profiles,
                            track,
                            messages,
                            goals,
                            timeline,
                            legalHolds,
                            new Campaigns(jdbi, audit, clock),
                            sweeps,
                            outbox,
                            erasures,
                            consents,
                            requests,
                            packages,
                            transferJobs,
                            exports,
                            webhooks,
                            subscriptions,
                            bulkDeletions,
                            new Imports(
                                    jdbi,
                                    transactions,
                                    transferJobs,
                                    policies,
                                    subjects,
                                    values,
                                    consents,
                                    requestStore::restrictedAmong,
                                    profiles.identification(),
                                    profiles.rectification(),
                                    audit,
                                    clock,
                                    config.transfers())),
                    metrics,
                    version());
            // What a crash left written but not chained joins the chain before anything new.
            audit.chainEverythingPending();
            audit.chainPeriodically();
            rollUp.runEvery(COUNT_ROLL_UP);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** The profile use cases, each with what it needs. */
    private Profiles profiles(
            Jdbi jdbi,
            Transactions transactions,
            SubjectDirectory subjects,
            PersonalValues values,
            ActivityStore activity,
            GoalService goals,
            SegmentStore segmentStore,
            Consents consents,
            Restrictions restrictions,
            Ids ids,
            Clock clock,
            Duration sessionTimeout) {
        var store = new JdbcProfileStore();
        var indexes = new ProfileIndexes(subjects, store);
        var merge = new ProfileMerge(subjects.store(), values, indexes);
        var criteria = new CriteriaCheck(goals, policies, indexes, clock);
        var segments = new Segments(jdbi, segmentStore, criteria, goals, audit, ids, clock);
        return new Profiles(
                new Identification(
                        subjects, values, indexes, merge, policies, consents, audit, transactions, clock, restrictions),
                new ProfileViews(
                        jdbi, subjects, values, activity, goals, policies, consents, audit, clock, sessionTimeout),
                new ProfileLists(jdbi, subjects, store, values, activity, policies, segments, criteria, audit, clock),
                segments,
                new Tags(subjects, values, indexes, policies, audit, transactions, clock),
                new ProfileMerges(subjects.store(), merge, audit, transactions, policies),
                new Shredding(subjects.store(), keyring, audit, transactions),
                new Rectification(subjects, values, indexes, policies, audit, transactions, clock));
    }

    /** Opens storage, makes sure an operator key exists, and starts serving. */
    public static Lethe start(Config config, Clock clock, SecureRandom random) {
        createDataDir(config.dataDir());
        var lethe = new Lethe(config, clock, random);
        try {
            // the months of events ingest may store exist before the first request is served
            lethe.partitions.prepare();
            // before serving: a restored backup gets back every erasure made after it, and an
            // erasure a crash cut short is finished
            lethe.erasures.replay();
            lethe.erasures.purgePending();
            lethe.http.start();
            lethe.jobs.start();
        } catch (RuntimeException e) {
            lethe.close();
            throw e;
        }
        return lethe;
    }

    /**
     * The file that holds (or would hold) the bootstrap operator key of this configuration's
     * database: one file per database in the data directory (see {@link BootstrapKeyFile}).
     */
    public static Path bootstrapKeyFile(Path dataDir, DatabaseSettings database) {
        return BootstrapKeyFile.of(dataDir, database.url(), database.url().equals(Database.embeddedUrl(dataDir)));
    }

    /** Imports, exports and bulk deletions (tests look at their runs). */
    public JobService transferJobs() {
        return transferJobs;
    }

    /** Where this database's bootstrap operator key file is (written only when this start made the key). */
    public Path bootstrapKeyFile() {
        return bootstrapKeyFile;
    }

    /** The bootstrap operator key if this start created it (to be shown once), else empty. */
    public Optional<String> newBootstrapKey() {
        return newBootstrapKey;
    }

    public int port() {
        return http.port();
    }

    public HttpServer http() {
        return http;
    }

    /** Legal holds: what sweeps and erasures keep past its time. */
    public LegalHolds legalHolds() {
        return legalHolds;
    }

    /** Webhook endpoints: features call {@link Webhooks#notify} in their transactions. */
    public Webhooks webhooks() {
        return webhooks;
    }

    /** The notifications outbox: features enqueue in their transactions; the outbox job delivers. */
    public Outbox outbox() {
        return outbox;
    }

    /** Key epochs on a schedule (the {@code key-epochs} job's work). */
    public KeyEpochs keyEpochs() {
        return keyEpochs;
    }

    /** Retention sweeps: run, preview, reports. */
    public Sweeps sweeps() {
        return sweeps;
    }

    /** Data-subject requests. */
    public Requests requests() {
        return requests;
    }

    public Database database() {
        return database;
    }

    public AuditLog audit() {
        return audit;
    }

    /** The job that folds count deltas into daily totals. */
    public StatisticsRollUp statisticsRollUp() {
        return rollUp;
    }

    public AccountService accounts() {
        return accounts;
    }

    public Erasures erasures() {
        return erasures;
    }

    public Keyring keyring() {
        return keyring;
    }

    /** The profile use cases (tests shred through {@code profiles().shredding()}). */
    public Profiles profiles() {
        return profiles;
    }

    public Partitions partitions() {
        return partitions;
    }

    /** The background jobs: recurring tasks kept in the database (see {@link Jobs}). */
    public Jobs jobs() {
        return jobs;
    }

    /** The system clock in UTC, to the microsecond: what both databases store exactly. */
    public static Clock microsecondClock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1000));
    }

    public static String version() {
        String v = Lethe.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void close() {
        try {
            // first, while the database is open: a run in progress gets a few seconds to finish,
            // and a governed job pauses at its next step (it resumes after the restart)
            transferJobs.stop();
            jobs.close();
        } finally {
            outbox.close();
            try {
                http.close();
            } finally {
                try {
                    rollUp.close();
                    audit.close();
                } finally {
                    database.close();
                }
            }
        }
    }

    static void createDataDir(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                try {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: keep the platform's default permissions
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create the data directory " + dir + " (--data-dir / LETHE_DATA_DIR)", e);
        }
    }
}
