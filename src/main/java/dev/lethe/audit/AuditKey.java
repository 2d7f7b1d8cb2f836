package dev.lethe.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An account's audit key: HMAC-SHA256 under it seals each entry when written and links it into the
 * chain. The database holds it only wrapped by the master key, so whoever can write to the
 * database but does not hold the master key can neither seal a forged entry nor recompute the
 * chain after an edit. Never shown, never logged.
 */
final class AuditKey {

    private static final String SEAL = "lethe/audit/entry/v1";
    private static final String LINK = "lethe/audit/chain/v1";

    private final SecretKeySpec key;

    AuditKey(byte[] material) {
        this.key = new SecretKeySpec(material, "HmacSHA256");
    }

    /** The seal made when an entry is written: over its account, id and content. */
    String seal(AuditEntry e) {
        return hmac(SEAL, e.accountId(), e.entryId(), content(e));
    }

    /** The hash that links an entry at its place: its seal's content, sequence number and predecessor. */
    String link(AuditEntry e) {
        return hmac(LINK, e.accountId(), e.entryId(), Long.toString(e.seq()), content(e), e.prevHash());
    }

    private static String content(AuditEntry e) {
        return fields(
                e.at().truncatedTo(ChronoUnit.MICROS).toString(),
                e.actor(),
                e.source() == null ? "" : e.source(),
                e.action(),
                e.targets(),
                e.outcome(),
                e.detail());
    }

    private String hmac(String... parts) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(fields(parts).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    /** Length-prefixed, so no two different lists of fields give the same text. */
    private static String fields(String... parts) {
        var text = new StringBuilder();
        for (String part : parts) {
            String p = part == null ? "" : part; // only a tampered row has a null here, and it cannot match
            text.append(p.length()).append(':').append(p).append('\n');
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "AuditKey[redacted]";
    }
}
