package dev.lethe.cli;

import dev.lethe.Lethe;
import dev.lethe.http.BrowserOrigins;
import dev.lethe.http.HttpServer;
import dev.lethe.jobs.Jobs;
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

    @Override
    public Integer call() throws InterruptedException {
        Duration timeout = duration(sessionTimeout, "--session-timeout / LETHE_SESSION_TIMEOUT", "PT30M");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new SettingException("--session-timeout / LETHE_SESSION_TIMEOUT must be longer than zero");
        }
        Duration sweeps = sweepInterval(sweepInterval);
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
                Optional.ofNullable(bootstrapKey).map(String::strip).filter(k -> !k.isEmpty()),
                Optional.ofNullable(masterKey).map(String::strip).filter(k -> !k.isEmpty()),
                timeout,
                sweeps,
                Jobs.Settings.DEFAULT,
                storage.erasureJournal);
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

    /** The sweep interval a setting gives: an ISO-8601 duration from PT1S to P1D. */
    static Duration sweepInterval(String text) {
        String setting = "--sweep-interval / LETHE_SWEEP_INTERVAL";
        Duration interval = duration(text, setting, "PT15M");
        if (interval.compareTo(Lethe.MIN_SWEEP_INTERVAL) < 0 || interval.compareTo(Lethe.MAX_SWEEP_INTERVAL) > 0) {
            throw new SettingException(setting + " must be from " + Lethe.MIN_SWEEP_INTERVAL + " to "
                    + Lethe.MAX_SWEEP_INTERVAL + " (one day), not '" + text.strip() + "'");
        }
        return interval;
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
