package dev.lethe.outbox;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the outbox sends mail: an SMTP server, how to secure the connection, who to log in as and
 * whom the mail is from. The password is held here and nowhere else; {@link #toString} leaves it
 * out.
 *
 * @param host the server's name or address
 * @param port its port (25, 587 with STARTTLS, 465 with TLS)
 * @param tls how the connection is secured
 * @param user the login, if the server wants one
 * @param password the password for {@code user}
 * @param from the sender address of every message
 */
public record Smtp(String host, int port, Tls tls, Optional<String> user, Optional<String> password, String from) {

    /** How the connection to the SMTP server is secured. */
    public enum Tls {
        /** Plain text (a relay on the same host or network only). */
        NONE,
        /** Plain connection upgraded with STARTTLS, which the server must offer. */
        STARTTLS,
        /** TLS from the first byte (usually port 465). */
        TLS;

        /** none, starttls or tls, as the setting spells it. */
        public static Tls parse(String text) {
            try {
                return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be none, starttls or tls, not '" + text.strip() + "'");
            }
        }
    }

    public Smtp {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(from, "from");
        if (host.isBlank()) throw new IllegalArgumentException("the SMTP host is blank");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("the SMTP port must be 1..65535");
        if (!OutboxMessage.isAddress(from)) throw new IllegalArgumentException("the sender is not one email address");
        if (password.isPresent() && user.isEmpty()) throw new IllegalArgumentException("a password needs a user");
    }

    @Override
    public String toString() {
        return "Smtp[" + host + ":" + port + ", " + tls + ", user " + user.isPresent() + "]";
    }
}
