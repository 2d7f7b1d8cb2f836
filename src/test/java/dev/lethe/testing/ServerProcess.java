package dev.lethe.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The real server, {@code lethe serve}, as a separate operating-system process: what a crash test
 * needs, since only a process of its own can be killed with SIGKILL while the test goes on. It runs
 * the test JVM's own classes (its class path), listens on a free loopback port, keeps its keys in a
 * data directory the test gives (so a restart on the same directory is the same installation), and
 * uses the embedded H2 file there unless a database URL is given.
 */
public final class ServerProcess implements AutoCloseable {

    /** The operator key every server process starts with (LETHE_BOOTSTRAP_KEY). */
    public static final String OPERATOR_KEY = "process-operator-key-0123456789abcdef";

    private static final Pattern LISTENING = Pattern.compile("listening on http://[^\\s:]+:(\\d+)");
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final int port;
    private final Http http;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        this.http = new Http(port);
    }

    /**
     * Starts a server and returns once it listens. {@code databaseUrl} empty means the embedded H2
     * file under {@code dataDir}, as {@code lethe serve} does by default. Output goes to
     * {@code server.log} in the data directory (appended, so a restart adds to it).
     */
    public static ServerProcess start(Path dataDir, Optional<String> databaseUrl) {
        return start(dataDir, databaseUrl, "512m", Map.of());
    }

    /** As {@link #start(Path, Optional)}, with these settings in the environment ({@code LETHE_*}). */
    public static ServerProcess start(Path dataDir, Optional<String> databaseUrl, Map<String, String> environment) {
        return start(dataDir, databaseUrl, "512m", environment);
    }

    /** {@link #start(Path, Optional)} with the server's heap capped at {@code maxHeap} (-Xmx). */
    public static ServerProcess start(Path dataDir, Optional<String> databaseUrl, String maxHeap) {
        return start(dataDir, databaseUrl, maxHeap, Map.of());
    }

    /** A server with its heap capped at {@code maxHeap} and these settings in the environment. */
    public static ServerProcess start(
            Path dataDir, Optional<String> databaseUrl, String maxHeap, Map<String, String> environment) {
        var command = new ArrayList<>(List.of(
                javaBinary(),
                "-Xmx" + maxHeap,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.lethe.cli.Main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--data-dir",
                dataDir.toString()));
        databaseUrl.ifPresent(url -> command.addAll(List.of("--db-url", url)));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Only what this test sets: a LETHE_* variable of the developer's shell must not steer it.
        builder.environment().keySet().removeIf(name -> name.startsWith("LETHE_"));
        builder.environment().put("LETHE_BOOTSTRAP_KEY", OPERATOR_KEY);
        builder.environment().put("LETHE_LOG_FORMAT", "text");
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var port = new CompletableFuture<Integer>();
        var log = dataDir.resolve("server.log");
        Thread.ofPlatform().daemon().name("server-output-" + process.pid()).start(() -> copyOutput(process, log, port));
        try {
            return new ServerProcess(process, port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not start; its output: " + tail(log), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Http http() {
        return http;
    }

    /**
     * SIGKILL: the process ends at once, with no shutdown hook, no flush and no close; what it had
     * not handed to the operating system is gone. Returns once it is dead.
     */
    public void kill() {
        // On Linux and macOS, destroyForcibly sends SIGKILL (destroy sends SIGTERM).
        process.destroyForcibly();
        waitForExit();
    }

    /** SIGTERM: the server's shutdown hook closes the HTTP server and the database. */
    public void stop() {
        process.destroy();
        waitForExit();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("server process " + process.pid() + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Copies the server's output to its log file and completes {@code port} when it listens. */
    private static void copyOutput(Process process, Path log, CompletableFuture<Integer> port) {
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(
                        log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (String line; (line = in.readLine()) != null; ) {
                out.write(line);
                out.write('\n');
                out.flush();
                var m = LISTENING.matcher(line);
                if (m.find()) port.complete(Integer.parseInt(m.group(1)));
            }
        } catch (IOException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("the server's output ended before it listened"));
    }

    private static String tail(Path log) {
        try {
            var lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
