package dev.lethe.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.lethe.outbox.Smtp;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real SMTP server in the test JVM (GreenMail on a free loopback port), started before each test
 * and stopped after it. Register with {@code @RegisterExtension final MailServer mail = new
 * MailServer();}.
 */
public final class MailServer implements BeforeEachCallback, AfterEachCallback {

    private GreenMail greenMail;

    @Override
    public void beforeEach(ExtensionContext extension) {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
    }

    @Override
    public void afterEach(ExtensionContext extension) {
        greenMail.stop();
    }

    /** The server: what it received, waiting for mail, stopping it to make delivery fail. */
    public GreenMail greenMail() {
        return greenMail;
    }

    /** Lethe's settings for sending through this server, plain SMTP without login, from {@code from}. */
    public Smtp smtp(String from) {
        return new Smtp(
                "127.0.0.1", greenMail.getSmtp().getPort(), Smtp.Tls.NONE, Optional.empty(), Optional.empty(), from);
    }
}
