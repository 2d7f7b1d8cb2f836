package dev.lethe.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.webhooks.Receiver;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The webhook client resolves a host once, through a resolver the test controls, and connects to
 * the addresses it checked: a name that answers public to the first question and loopback to any
 * later one (DNS rebinding) never reaches a receiver on 127.0.0.1, and a name pinned to loopback
 * (private addresses allowed) is reached with the name in its Host header. No database: these run
 * the same on H2 and PostgreSQL.
 */
class WebhookSenderTest {

    private static final Instant AT = Instant.parse("2026-01-09T12:00:00Z");

    /** A fake DNS: answers each question with the next of its answers (the last one from then on). */
    private static final class Dns implements WebhookSender.HostResolver {
        final List<String> asked = new CopyOnWriteArrayList<>();
        private final List<InetAddress[]> answers;
        private final AtomicInteger next = new AtomicInteger();

        Dns(InetAddress[]... answers) {
            this.answers = List.of(answers);
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            asked.add(host);
            return answers.get(Math.min(next.getAndIncrement(), answers.size() - 1));
        }
    }

    private static InetAddress[] ips(String... literals) throws UnknownHostException {
        var out = new InetAddress[literals.length];
        for (int i = 0; i < literals.length; i++) out[i] = InetAddress.getByName(literals[i]);
        return out;
    }

    private static WebhookSender sender(boolean allowPrivate, Dns dns) {
        // refused cases: a short timeout, as the public answer of the rebinding case is a
        // documentation address (203.0.113.0/24) that nobody answers; the delivery that must
        // arrive gets a long one (the client's first start is slow on a busy machine)
        var timeout = allowPrivate ? Duration.ofSeconds(30) : Duration.ofSeconds(1);
        return new WebhookSender(new OutboxSettings.Webhooks(allowPrivate, timeout, "http://localhost:8080"), dns);
    }

    private static String urlOn(Receiver receiver, String host) {
        int port = URI.create(receiver.url("/")).getPort();
        return "http://" + host + ":" + port + "/hook?token=t";
    }

    @Test
    void aNameThatRebindsToLoopbackAfterTheCheckNeverReachesTheReceiver() throws Exception {
        var dns = new Dns(ips("203.0.113.5"), ips("127.0.0.1"));
        try (var receiver = new Receiver(200);
                var sender = sender(false, dns)) {
            assertThatThrownBy(() ->
                            sender.send(urlOn(receiver, "hooks.rebind.test"), "s", "d1", "job.completed", "{}", AT))
                    .isInstanceOf(SmtpMailer.DeliveryFailure.class);
            // one question, whose (public) answer is what the client tried to connect to
            assertThat(dns.asked).containsExactly("hooks.rebind.test");
            // a second delivery asks again and gets loopback: refused before any connection
            assertThatThrownBy(() ->
                            sender.send(urlOn(receiver, "hooks.rebind.test"), "s", "d2", "job.completed", "{}", AT))
                    .isInstanceOf(SmtpMailer.DeliveryFailure.class)
                    .hasMessageContaining("loopback, private or link-local");
            assertThat(receiver.received()).isEmpty();
        }
    }

    @Test
    void anAnswerHoldingOnePrivateAddressIsRefusedWithoutConnecting() throws Exception {
        var dns = new Dns(ips("203.0.113.5", "127.0.0.1"));
        try (var receiver = new Receiver(200);
                var sender = sender(false, dns)) {
            assertThatThrownBy(() ->
                            sender.send(urlOn(receiver, "hooks.mixed.test"), "s", "d1", "job.completed", "{}", AT))
                    .isInstanceOf(SmtpMailer.DeliveryFailure.class)
                    .hasMessage("the webhook URL resolves to a loopback, private or link-local address, which"
                            + " webhooks may not call (--webhooks-allow-private / LETHE_WEBHOOKS_ALLOW_PRIVATE)");
            assertThat(dns.asked).containsExactly("hooks.mixed.test");
            assertThat(receiver.received()).isEmpty();
        }
    }

    @Test
    void theCheckedAddressIsConnectedToWithTheNameInTheHostHeaderAndTheDeliverySigned() throws Exception {
        // the name exists only in the fake DNS: reaching the receiver proves its answer was used
        var dns = new Dns(ips("127.0.0.1"), ips("192.0.2.1"));
        try (var receiver = new Receiver(204);
                var sender = sender(true, dns)) {
            String url = urlOn(receiver, "hooks.pinned.test");
            sender.send(url, "whsec_x", "d1", "job.completed", "{\"a\":1}", AT);
            assertThat(dns.asked).containsExactly("hooks.pinned.test");
            var got = receiver.received();
            assertThat(got).hasSize(1);
            assertThat(got.get(0).header("Host"))
                    .isEqualTo("hooks.pinned.test:" + URI.create(url).getPort());
            assertThat(got.get(0).header("Lethe-Timestamp")).isEqualTo(Long.toString(AT.getEpochSecond()));
            assertThat(got.get(0).header("Lethe-Signature"))
                    .isEqualTo("v1="
                            + WebhookSender.signature("whsec_x", Long.toString(AT.getEpochSecond()), "{\"a\":1}"));
            assertThat(got.get(0).header("Content-Type")).startsWith("application/json");
            assertThat(got.get(0).body()).isEqualTo("{\"a\":1}");
        }
    }
}
