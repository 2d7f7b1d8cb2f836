package dev.lethe.cli;

import dev.lethe.Lethe;
import dev.lethe.http.BrowserOrigins;
import dev.lethe.http.HttpServer;
import dev.lethe.jobs.Jobs;
import dev.lethe.outbox.OutboxSettings;
import dev.lethe.outbox.Smtp;
import dev.lethe.transfer.TransferSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lethe serve}: runs the HTTP API until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the HTTP API.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    Options.Storage storage;

    @Option(
            names = "--host",
            defaultValue = "${env:LETHE_HOST:-0.0.0.0}",
            description = "Address to listen on (env LETHE_HOST, default 0.0.0.0).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "${env:LETHE_PORT:-8080}",
            description = "HTTP port (env LETHE_PORT, default 8080).")
    int port;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "${env:LETHE_MAX_BODY_BYTES:-5000000}",
            description = "Largest request body accepted, in bytes (env LETHE_MAX_BODY_BYTES, default 5000000).")
    long maxBodyBytes;

    @Option(
            names = "--cors-origins",
            defaultValue = "${env:LETHE_CORS_ORIGINS}",
            description = "Web pages allowed to call the ingest routes from a browser: comma-separated exact origins"
                    + " such as https://shop.example (env LETHE_CORS_ORIGINS; default none).")
    String corsOrigins;

    @Option(
            names = "--bootstrap-key",
            defaultValue = "${env:LETHE_BOOTSTRAP_KEY}",
            description =
                    "Fix the bootstrap operator key instead of generating one (env LETHE_BOOTSTRAP_KEY; at least 24 characters).")
    String bootstrapKey;

    @Option(
            names = "--master-key",
            defaultValue = "${env:LETHE_MASTER_KEY}",
            description = "The master key as a Tink AEAD keyset in JSON (env LETHE_MASTER_KEY); default: the file"
                    + " master-key.json in the data directory, generated on first start (mode 0600).")
    String masterKey;

    @Option(
            names = "--session-timeout",
            defaultValue = "${env:LETHE_SESSION_TIMEOUT:-PT30M}",
            description =
                    "A visit ends after this long without an event, ISO-8601 (env LETHE_SESSION_TIMEOUT, default PT30M).")
    String sessionTimeout;

    @Option(
            names = "--sweep-interval",
            defaultValue = "${env:LETHE_SWEEP_INTERVAL:-PT15M}",
            description = "How often the retention sweeps run, ISO-8601, PT1S to P1D"
                    + " (env LETHE_SWEEP_INTERVAL, default PT15M).")
    String sweepInterval;

    @Option(
            names = "--sweep-lease",
            defaultValue = "${env:LETHE_SWEEP_LEASE:-PT2M}",
            description = "How long a sweep holds its account's lease without a batch renewing it: how soon"
                    + " sweeps resume after a server died in the middle of one; ISO-8601, PT1S to PT1H"
                    + " (env LETHE_SWEEP_LEASE, default PT2M).")
    String sweepLease;

    @Option(
            names = "--smtp-host",
            defaultValue = "${env:LETHE_SMTP_HOST}",
            description = "SMTP server the outbox sends mail through (env LETHE_SMTP_HOST); default none: messages"
                    + " stay pending in the outbox (GET /v1/outbox).")
    String smtpHost;

    @Option(
            names = "--smtp-port",
            defaultValue = "${env:LETHE_SMTP_PORT}",
            description =
                    "SMTP port (env LETHE_SMTP_PORT); default 25 with --smtp-tls none, 587 with starttls, 465 with tls.")
    String smtpPort;

    @Option(
            names = "--smtp-tls",
            defaultValue = "${env:LETHE_SMTP_TLS:-starttls}",
            description = "none, starttls (required, not opportunistic) or tls (env LETHE_SMTP_TLS, default starttls).")
    String smtpTls;

    @Option(
            names = "--smtp-user",
            defaultValue = "${env:LETHE_SMTP_USER}",
            description = "SMTP login (env LETHE_SMTP_USER); default none: no authentication.")
    String smtpUser;

    @Option(
            names = "--smtp-password-file",
            defaultValue = "${env:LETHE_SMTP_PASSWORD_FILE}",
            description = "File holding the SMTP password (env LETHE_SMTP_PASSWORD_FILE, or the password itself in"
                    + " env LETHE_SMTP_PASSWORD); never a command-line value, which other users could read.")
    Path smtpPasswordFile;

    @Option(
            names = "--smtp-from",
            defaultValue = "${env:LETHE_SMTP_FROM}",
            description = "Sender address of the outbox's mail (env LETHE_SMTP_FROM); required with --smtp-host.")
    String smtpFrom;

    @Option(
            names = "--outbox-max-attempts",
            defaultValue = "${env:LETHE_OUTBOX_MAX_ATTEMPTS:-8}",
            description = "Delivery attempts before a message is marked failed, 1..100; the waits double from one"
                    + " minute, at most 6 hours (env LETHE_OUTBOX_MAX_ATTEMPTS, default 8).")
    int outboxMaxAttempts;

    @Option(
            names = "--outbox-keep-content",
            defaultValue = "${env:LETHE_OUTBOX_KEEP_CONTENT:-P30D}",
            description = "How long the sealed recipient and text of a sent or failed message are kept, ISO-8601"
                    + " (env LETHE_OUTBOX_KEEP_CONTENT, default P30D).")
    String outboxKeepContent;

    @Option(
            names = "--webhooks-allow-private",
            defaultValue = "${env:LETHE_WEBHOOKS_ALLOW_PRIVATE:-false}",
            arity = "0..1",
            fallbackValue = "true",
            description = "Let webhooks call loopback, private and link-local addresses, true or false (env"
                    + " LETHE_WEBHOOKS_ALLOW_PRIVATE, default false: such URLs are refused, against SSRF).")
    String webhooksAllowPrivate;

    @Option(
            names = "--public-url",
            defaultValue = "${env:LETHE_PUBLIC_URL}",
            description = "Where this server is reached from outside, e.g. https://lethe.example.com: the start of"
                    + " confirm and unsubscribe links in messages (env LETHE_PUBLIC_URL, default"
                    + " http://localhost:<port>).")
    String publicUrl;

    @Option(
            names = "--key-epoch-interval",
            defaultValue = "${env:LETHE_KEY_EPOCH_INTERVAL:-P30D}",
            description = "How long an account data-key epoch wraps new keys before the next replaces it and it is"
                    + " destroyed, ISO-8601, at least PT1S (env LETHE_KEY_EPOCH_INTERVAL, default P30D).")
    String keyEpochInterval;

    @Option(
            names = "--job-threads",
            defaultValue = "${env:LETHE_JOB_THREADS:-4}",
            description = "Background runs one server makes at once, 2..64; imports, exports and bulk deletions use"
                    + " all but one, the recurring tasks the rest (env LETHE_JOB_THREADS, default 4).")
    int jobThreads;

    @Option(
            names = "--job-heartbeat",
            defaultValue = "${env:LETHE_JOB_HEARTBEAT:-PT10S}",
            description = "How often a server running a job says it is alive, ISO-8601, PT1S..PT5M; a job whose"
                    + " server missed six is resumed elsewhere (env LETHE_JOB_HEARTBEAT, default PT10S).")
    String jobHeartbeat;

    @Option(
            names = "--job-poll",
            defaultValue = "${env:LETHE_JOB_POLL:-PT10S}",
            description = "How often a server looks for due background jobs, ISO-8601, PT0.1S..PT5M; a job queued"
                    + " on another server, or due again after a restart, starts up to this long later (env"
                    + " LETHE_JOB_POLL, default PT10S).")
    String jobPoll;

    @Option(
            names = "--import-preview-ttl",
            defaultValue = "${env:LETHE_IMPORT_PREVIEW_TTL:-P1D}",
            description = "How long an import's preview waits for its commit (and an upload for its end) before its"
                    + " staged file is deleted, ISO-8601, PT1M..P30D (env LETHE_IMPORT_PREVIEW_TTL, default P1D).")
    String importPreviewTtl;

    @Option(
            names = "--export-link-ttl",
            defaultValue = "${env:LETHE_EXPORT_LINK_TTL:-PT24H}",
            description = "How long an export's download link works (its file is deleted after), ISO-8601,"
                    + " PT1M..P30D (env LETHE_EXPORT_LINK_TTL, default PT24H).")
    String exportLinkTtl;

    @Option(
            names = "--export-link-uses",
            defaultValue = "${env:LETHE_EXPORT_LINK_USES:-1}",
            description = "How many downloads an export's link allows, 1..100 (env LETHE_EXPORT_LINK_USES, default 1).")
    String exportLinkUses;

    @Option(
            names = "--max-upload-bytes",
            defaultValue = "${env:LETHE_MAX_UPLOAD_BYTES:-4294967296}",
            description = "Largest file an import or a bulk deletion accepts, in bytes, at least 1024 (env"
                    + " LETHE_MAX_UPLOAD_BYTES, default 4294967296: 4 GiB).")
    long maxUploadBytes;

    @Option(
            names = "--bulk-deletion-batch",
            defaultValue = "${env:LETHE_BULK_DELETION_BATCH:-500}",
            description = "Identifiers a bulk deletion erases per step (one transaction and checkpoint), 10..5000;"
                    + " larger steps erase more people a second, a crash redoes at most one (env"
                    + " LETHE_BULK_DELETION_BATCH, default 500).")
    String bulkDeletionBatch;

    @Override
    public Integer call() throws InterruptedException {
        Duration timeout = duration(sessionTimeout, "--session-timeout / LETHE_SESSION_TIMEOUT", "PT30M");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new SettingException("--session-timeout / LETHE_SESSION_TIMEOUT must be longer than zero");
        }
        Duration sweeps = sweepInterval(sweepInterval);
        Duration lease = sweepLease(sweepLease);
        if (port < 0 || port > 65535) throw new SettingException("--port / LETHE_PORT must be 0..65535, not " + port);
        if (maxBodyBytes < 1024)
            throw new SettingException("--max-body-bytes / LETHE_MAX_BODY_BYTES must be at least 1024");
        if (bootstrapKey != null
                && !bootstrapKey.isBlank()
                && bootstrapKey.strip().length() < 24) {
            throw new SettingException("--bootstrap-key / LETHE_BOOTSTRAP_KEY must be at least 24 characters");
        }
        BrowserOrigins browsers;
        try {
            browsers = BrowserOrigins.parse(corsOrigins);
        } catch (IllegalArgumentException e) {
            throw new SettingException("--cors-origins / LETHE_CORS_ORIGINS: " + e.getMessage());
        }
        var config = new Lethe.Config(
                        storage.dataDir(),
                        storage.database(),
                        new HttpServer.Settings(host, port, maxBodyBytes, browsers),
                        Optional.ofNullable(bootstrapKey).map(String::strip).filter(k -> !k.isEmpty()))
                .toBuilder()
                        .masterKey(Optional.ofNullable(masterKey)
                                .map(String::strip)
                                .filter(k -> !k.isEmpty()))
                        .sessionTimeout(timeout)
                        .sweepInterval(sweeps)
                        .sweepLease(lease)
                        .outbox(outbox())
                        .keyEpochInterval(keyEpochInterval(keyEpochInterval))
                        .erasureJournal(storage.erasureJournal)
                        .transfers(transfers())
                        .jobs(jobs())
                        .build();
        int needed = connectionsNeeded(config.jobs().threads());
        if (config.database().poolSize() < needed)
            throw new SettingException("--db-pool-size / LETHE_DB_POOL_SIZE is "
                    + config.database().poolSize()
                    + ": with --job-threads " + config.jobs().threads() + " it must be at least " + needed
                    + " (an export holds up to three connections at once, and requests need some too)");
        var stopped = new CountDownLatch(1);
        Lethe lethe = Lethe.start(config, Lethe.microsecondClock(), new SecureRandom());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            lethe.close();
                            stopped.countDown();
                        },
                        "lethe-shutdown"));
        lethe.newBootstrapKey().ifPresent(key -> {
            System.out.println("Bootstrap operator key (shown once; also written to " + lethe.bootstrapKeyFile()
                    + ", mode 0600, this database's own file):");
            System.out.println("  " + key);
        });
        System.out.println("Lethe " + Lethe.version() + " listening on http://" + host + ":" + lethe.port() + " ("
                + lethe.database().dialect() + ")");
        stopped.await();
        return 0;
    }

    /** The job heartbeat a setting gives: an ISO-8601 duration from PT1S to PT5M. */
    static Duration jobHeartbeat(String text) {
        return within(
                text,
                "--job-heartbeat / LETHE_JOB_HEARTBEAT",
                "PT10S",
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                "five minutes");
    }

    /** The job poll interval a setting gives: an ISO-8601 duration from PT0.1S to PT5M. */
    static Duration jobPoll(String text) {
        return within(
                text,
                "--job-poll / LETHE_JOB_POLL",
                "PT10S",
                Duration.ofMillis(100),
                Duration.ofMinutes(5),
                "five minutes");
    }

    /** The sweep interval a setting gives: an ISO-8601 duration from PT1S to P1D. */
    static Duration sweepInterval(String text) {
        return within(
                text,
                "--sweep-interval / LETHE_SWEEP_INTERVAL",
                "PT15M",
                Lethe.MIN_SWEEP_INTERVAL,
                Lethe.MAX_SWEEP_INTERVAL,
                "one day");
    }

    /** The sweep lease a setting gives: an ISO-8601 duration from PT1S to PT1H. */
    static Duration sweepLease(String text) {
        return within(
                text,
                "--sweep-lease / LETHE_SWEEP_LEASE",
                "PT2M",
                Lethe.MIN_SWEEP_LEASE,
                Lethe.MAX_SWEEP_LEASE,
                "one hour");
    }

    /** The key epoch interval a setting gives: an ISO-8601 duration of at least a second. */
    static Duration keyEpochInterval(String text) {
        return within(
                text,
                "--key-epoch-interval / LETHE_KEY_EPOCH_INTERVAL",
                "P30D",
                Lethe.MIN_KEY_EPOCH_INTERVAL,
                null,
                null);
    }

    /**
     * A duration setting from {@code min} to {@code max} ({@code max} null: no upper bound;
     * {@code span} says {@code max} in words), or a message naming the setting and the bounds.
     */
    private static Duration within(
            String text, String setting, String example, Duration min, Duration max, String span) {
        Duration value = duration(text, setting, example);
        if (value.compareTo(min) < 0 || (max != null && value.compareTo(max) > 0)) {
            throw new SettingException(
                    max == null
                            ? setting + " must be at least " + min + ", not '" + text.strip() + "'"
                            : setting + " must be from " + min + " to " + max + " (" + span + "), not '" + text.strip()
                                    + "'");
        }
        return value;
    }

    /**
     * The smallest pool that cannot run dry: each governed job (all threads but one) may hold three
     * connections at once (an export's listing, locking and writing stages), the recurring task
     * one, the scheduler's polling and heartbeat one, and four are left for requests.
     */
    static int connectionsNeeded(int jobThreads) {
        return 3 * (jobThreads - 1) + 1 + 1 + 4;
    }

    /** How the background jobs run: --job-threads, --job-heartbeat and --job-poll. */
    private Jobs.Settings jobs() {
        if (jobThreads < 2 || jobThreads > 64)
            throw new SettingException("--job-threads / LETHE_JOB_THREADS must be 2..64, not " + jobThreads);
        return Jobs.Settings.DEFAULT
                .withThreads(jobThreads)
                .withHeartbeat(jobHeartbeat(jobHeartbeat))
                .withPollInterval(jobPoll(jobPoll));
    }

    /** Imports, exports and bulk deletions: link and preview lifetimes, link uses, the largest upload. */
    private TransferSettings transfers() {
        Duration preview = within(
                importPreviewTtl,
                "--import-preview-ttl / LETHE_IMPORT_PREVIEW_TTL",
                "P1D",
                Duration.ofMinutes(1),
                Duration.ofDays(30),
                "thirty days");
        Duration link = within(
                exportLinkTtl,
                "--export-link-ttl / LETHE_EXPORT_LINK_TTL",
                "PT24H",
                Duration.ofMinutes(1),
                Duration.ofDays(30),
                "thirty days");
        int uses;
        try {
            uses = Integer.parseInt(exportLinkUses.strip());
        } catch (NumberFormatException e) {
            uses = -1;
        }
        if (uses < 1 || uses > 100)
            throw new SettingException(
                    "--export-link-uses / LETHE_EXPORT_LINK_USES must be a whole number from 1 to 100, not '"
                            + exportLinkUses.strip() + "'");
        if (maxUploadBytes < 1024)
            throw new SettingException("--max-upload-bytes / LETHE_MAX_UPLOAD_BYTES must be at least 1024");
        int batch;
        try {
            batch = Integer.parseInt(bulkDeletionBatch.strip());
        } catch (NumberFormatException e) {
            batch = -1;
        }
        if (batch < 10 || batch > TransferSettings.MAX_BULK_DELETION_BATCH)
            throw new SettingException(
                    "--bulk-deletion-batch / LETHE_BULK_DELETION_BATCH must be a whole number from" + " 10 to "
                            + TransferSettings.MAX_BULK_DELETION_BATCH + ", not '" + bulkDeletionBatch.strip() + "'");
        return new TransferSettings(link, uses, preview, maxUploadBytes, batch);
    }

    /** The outbox settings: an SMTP server when --smtp-host is given, else none (messages stay pending). */
    private OutboxSettings outbox() {
        Duration keep = duration(outboxKeepContent, "--outbox-keep-content / LETHE_OUTBOX_KEEP_CONTENT", "P30D");
        if (keep.isNegative() || keep.isZero()) {
            throw new SettingException("--outbox-keep-content / LETHE_OUTBOX_KEEP_CONTENT must be longer than zero");
        }
        if (outboxMaxAttempts < 1 || outboxMaxAttempts > 100) {
            throw new SettingException("--outbox-max-attempts / LETHE_OUTBOX_MAX_ATTEMPTS must be 1..100");
        }
        var settings = OutboxSettings.DEFAULT
                .withRetries(outboxMaxAttempts, OutboxSettings.DEFAULT.firstRetry())
                .withKeepContent(keep)
                .withWebhooks(webhooks());
        if (blank(smtpHost)) return settings;
        Smtp.Tls tls;
        try {
            tls = Smtp.Tls.parse(smtpTls == null ? "starttls" : smtpTls);
        } catch (IllegalArgumentException e) {
            throw new SettingException("--smtp-tls / LETHE_SMTP_TLS " + e.getMessage());
        }
        int port = switch (tls) {
            case NONE -> 25;
            case STARTTLS -> 587;
            case TLS -> 465;
        };
        if (!blank(smtpPort)) {
            try {
                port = Integer.parseInt(smtpPort.strip());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) throw new SettingException("--smtp-port / LETHE_SMTP_PORT must be 1..65535");
        }
        if (blank(smtpFrom)) throw new SettingException("--smtp-from / LETHE_SMTP_FROM is required with --smtp-host");
        try {
            return settings.withSmtp(new Smtp(
                    smtpHost.strip(),
                    port,
                    tls,
                    Optional.ofNullable(smtpUser).map(String::strip).filter(u -> !u.isEmpty()),
                    smtpPassword(),
                    smtpFrom.strip()));
        } catch (IllegalArgumentException e) {
            throw new SettingException("SMTP settings (--smtp-*): " + e.getMessage());
        }
    }

    /** Webhook settings: whether private addresses are allowed, and the public URL links start with. */
    private OutboxSettings.Webhooks webhooks() {
        String allow = webhooksAllowPrivate == null ? "false" : webhooksAllowPrivate.strip();
        if (!allow.equals("true") && !allow.equals("false")) {
            throw new SettingException("--webhooks-allow-private / LETHE_WEBHOOKS_ALLOW_PRIVATE must be true or false");
        }
        String url = blank(publicUrl) ? "http://localhost:" + port : publicUrl.strip();
        try {
            return OutboxSettings.Webhooks.DEFAULT
                    .withAllowPrivate(allow.equals("true"))
                    .withPublicUrl(url);
        } catch (IllegalArgumentException e) {
            throw new SettingException("--public-url / LETHE_PUBLIC_URL: " + e.getMessage());
        }
    }

    /** The password from its file (trailing newline dropped), else from LETHE_SMTP_PASSWORD. */
    private Optional<String> smtpPassword() {
        if (smtpPasswordFile != null) {
            try {
                return Optional.of(Files.readString(smtpPasswordFile).strip()).filter(p -> !p.isEmpty());
            } catch (IOException e) {
                throw new SettingException("--smtp-password-file / LETHE_SMTP_PASSWORD_FILE: cannot read "
                        + smtpPasswordFile + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        return Optional.ofNullable(System.getenv("LETHE_SMTP_PASSWORD")).filter(p -> !p.isBlank());
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static Duration duration(String text, String setting, String example) {
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new SettingException(
                    setting + " must be an ISO-8601 duration such as " + example + ", not '" + text + "'");
        }
    }
}
