package dev.lethe.outbox;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Sends one email by SMTP with Jakarta Mail (Angus). A failure is reported as {@link
 * DeliveryFailure} whose text is made here from the kind of failure and the server's reply code,
 * never from the exception's own message, which may quote the recipient's address.
 */
final class SmtpMailer {

    /** How long to wait to connect, and for each read and write. */
    private static final String TIMEOUT_MS = "20000";

    private final Smtp smtp;
    private final Session session;

    SmtpMailer(Smtp smtp) {
        this.smtp = smtp;
        var p = new Properties();
        p.setProperty("mail.smtp.host", smtp.host());
        p.setProperty("mail.smtp.port", Integer.toString(smtp.port()));
        p.setProperty("mail.smtp.connectiontimeout", TIMEOUT_MS);
        p.setProperty("mail.smtp.timeout", TIMEOUT_MS);
        p.setProperty("mail.smtp.writetimeout", TIMEOUT_MS);
        p.setProperty("mail.smtp.auth", Boolean.toString(smtp.user().isPresent()));
        switch (smtp.tls()) {
            case NONE -> {}
            case STARTTLS -> {
                p.setProperty("mail.smtp.starttls.enable", "true");
                p.setProperty("mail.smtp.starttls.required", "true");
                p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.setProperty("mail.smtp.ssl.enable", "true");
                p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            }
        }
        this.session = Session.getInstance(p);
    }

    /** A delivery that did not happen, described without any personal value. */
    static final class DeliveryFailure extends Exception {
        DeliveryFailure(String description) {
            super(description, null, false, false);
        }
    }

    void send(String to, String subject, String text, Instant at) throws DeliveryFailure {
        try {
            var message = new MimeMessage(session);
            message.setFrom(new InternetAddress(smtp.from(), true));
            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to, true));
            message.setSubject(subject, "UTF-8");
            message.setText(text, "UTF-8");
            message.setSentDate(Date.from(at));
            if (smtp.user().isPresent()) {
                Transport.send(message, smtp.user().get(), smtp.password().orElse(""));
            } else {
                Transport.send(message);
            }
        } catch (MessagingException e) {
            throw new DeliveryFailure(describe(e));
        }
    }

    /** What went wrong, from the exception's type and reply code only. */
    static String describe(MessagingException e) {
        if (e instanceof SMTPAddressFailedException a) {
            return "the SMTP server refused the recipient (reply " + a.getReturnCode() + ")";
        }
        if (e instanceof SMTPSendFailedException s) {
            return "the SMTP server refused the message (reply " + s.getReturnCode() + ")";
        }
        if (e instanceof AuthenticationFailedException) return "the SMTP server refused the login";
        if (e instanceof AddressException) return "the recipient or sender is not a valid address";
        if (e instanceof SendFailedException s) {
            return s.getNextException() instanceof MessagingException next
                    ? describe(next)
                    : "the SMTP server refused the recipient";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) return "the SMTP host is unknown";
            if (t instanceof ConnectException || t instanceof MailConnectException) {
                return "cannot connect to the SMTP server";
            }
            if (t instanceof SocketTimeoutException) return "the SMTP server did not answer in time";
        }
        return "the SMTP exchange failed (" + e.getClass().getSimpleName() + ")";
    }
}
