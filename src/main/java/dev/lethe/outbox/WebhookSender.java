package dev.lethe.outbox;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one webhook: a JSON POST with {@code Lethe-Webhook-Id}, {@code Lethe-Event}, {@code
 * Lethe-Timestamp} (Unix seconds) and, when the target has a secret, {@code Lethe-Signature:
 * v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>} (docs/webhooks.md). A 2xx is delivered;
 * anything else, a timeout or a refused connection is a {@link SmtpMailer.DeliveryFailure} described
 * by its kind and status code, never by the URL or the body. Redirects are not followed: a
 * redirect could lead past the address check.
 *
 * <p>The address check (SSRF) is the client's name resolution itself: the host is resolved once,
 * refused if any address is not public, and the client connects to those very addresses, while
 * the Host header, TLS SNI and the certificate check use the name. A name that answers a public
 * address to a check and a private one to the connection (DNS rebinding) therefore cannot get
 * through: there is no second answer. The JDK's HttpClient resolves by itself and cannot be given
 * addresses, hence Jetty's client (the Jetty Javalin already brings), started on first use.
 */
final class WebhookSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    /** Resolves a host name to its addresses; the system's DNS in production, a fake in tests. */
    @FunctionalInterface
    interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Why the resolution refused the host: the delivery fails with this reason. */
    private static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final OutboxSettings.Webhooks settings;
    private final HostResolver resolver;
    private HttpClient client;
    private boolean closed;

    WebhookSender(OutboxSettings.Webhooks settings) {
        this(settings, InetAddress::getAllByName);
    }

    WebhookSender(OutboxSettings.Webhooks settings, HostResolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
    }

    void send(String url, String secret, String deliveryId, String event, String body, Instant at)
            throws SmtpMailer.DeliveryFailure {
        var refused = WebhookUrls.shapeProblem(url);
        if (refused.isPresent()) throw new SmtpMailer.DeliveryFailure("the webhook URL " + refused.get());
        String timestamp = Long.toString(at.getEpochSecond());
        var request = client().newRequest(URI.create(url))
                .method(HttpMethod.POST)
                .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> {
                    h.put(HttpHeader.USER_AGENT, "Lethe-Webhooks/1");
                    h.put("Lethe-Webhook-Id", deliveryId);
                    h.put("Lethe-Event", event);
                    h.put("Lethe-Timestamp", timestamp);
                    if (secret != null) h.put("Lethe-Signature", "v1=" + signature(secret, timestamp, body));
                })
                .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8));
        // the answer's body is read and dropped: only the status counts
        var done = new CompletableFuture<Result>();
        request.send(done::complete);
        Result result;
        try {
            result = done.get();
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            throw new SmtpMailer.DeliveryFailure("the webhook delivery was interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the webhook listener does not fail", e);
        }
        // a failure after the status arrived (the answer's body cut short) still counts by its status
        if (result.isFailed() && result.getResponse().getStatus() == 0) throw failure(result.getFailure());
        int status = result.getResponse().getStatus();
        if (status < 200 || status > 299) {
            throw new SmtpMailer.DeliveryFailure("the webhook endpoint answered " + status);
        }
    }

    /** The failure's kind, never its message (which may quote the host or the URL). */
    private static SmtpMailer.DeliveryFailure failure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Refused r) return new SmtpMailer.DeliveryFailure("the webhook URL " + r.getMessage());
            if (t instanceof SocketTimeoutException) {
                return new SmtpMailer.DeliveryFailure("the webhook endpoint did not accept a connection in time");
            }
            if (t instanceof TimeoutException) {
                return new SmtpMailer.DeliveryFailure("the webhook endpoint did not answer in time");
            }
            if (t instanceof ConnectException) {
                return new SmtpMailer.DeliveryFailure("cannot connect to the webhook endpoint");
            }
        }
        return new SmtpMailer.DeliveryFailure(
                "the webhook exchange failed (" + failure.getClass().getSimpleName() + ")");
    }

    /**
     * The one resolution of a delivery's connection: the addresses refused if any is not public
     * (unless allowed), else exactly these connected to.
     */
    private void resolve(String host, int port, Promise<List<InetSocketAddress>> promise) {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | SecurityException e) {
            promise.failed(new Refused(WebhookUrls.DOES_NOT_RESOLVE));
            return;
        }
        var problem = WebhookUrls.addressProblem(addresses, settings.allowPrivate());
        if (problem.isPresent()) {
            promise.failed(new Refused(problem.get()));
            return;
        }
        promise.succeeded(Arrays.stream(addresses)
                .map(a -> new InetSocketAddress(a, port))
                .toList());
    }

    private synchronized HttpClient client() {
        if (closed) throw new IllegalStateException("the server is stopping: webhooks are no longer sent");
        if (client != null) return client;
        var c = new HttpClient();
        c.setFollowRedirects(false);
        c.setConnectTimeout(settings.timeout().toMillis());
        c.setSocketAddressResolver(new SocketAddressResolver() {
            @Override
            public void resolve(
                    String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
                WebhookSender.this.resolve(host, port, promise);
            }
        });
        // daemon threads, few: deliveries are sent one at a time by the outbox job
        var threads = new QueuedThreadPool(8, 1);
        threads.setName("lethe-webhooks");
        threads.setDaemon(true);
        c.setExecutor(threads);
        c.setScheduler(new ScheduledExecutorScheduler("lethe-webhooks-scheduler", true));
        c.setUserAgentField(null);
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("the webhook HTTP client does not start", e);
        }
        client = c;
        return c;
    }

    /** Stops the HTTP client, if it was started. */
    @Override
    public synchronized void close() {
        closed = true;
        if (client == null) return;
        try {
            client.stop();
        } catch (Exception e) {
            // the server goes on stopping (its HTTP server closes after this): only say so
            log.warn(
                    "the webhook HTTP client did not stop cleanly {}",
                    kv("error", e.getClass().getName()));
        } finally {
            client = null;
        }
    }

    /** Hex HMAC-SHA256 of {@code timestamp + "." + body} under the secret's UTF-8 bytes. */
    static String signature(String secret, String timestamp, String body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
