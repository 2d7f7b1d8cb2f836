package dev.lethe.subjects;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of identifier a subject can be found by, each with its normal form: the same person
 * typing " Zebulon@Example.org" and "zebulon@example.org" is one person.
 */
public enum IdentifierKind {
    EMAIL("email"),
    PHONE("phone"),
    EXTERNAL_ID("externalId"),
    VISITOR("visitorId");

    private final String wireName;
    private final String field;

    IdentifierKind(String wireName) {
        this.wireName = wireName;
        this.field = "identifiers." + wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The kind a wire name (as stored in the identifiers table) names. */
    public static Optional<IdentifierKind> ofWireName(String wireName) {
        for (var k : values()) {
            if (k.wireName.equals(wireName)) return Optional.of(k);
        }
        return Optional.empty();
    }

    /** The field path an identifier arrives under, for classification: {@code identifiers.email}. */
    public String field() {
        return field;
    }

    /** The normal form, or empty when the text is not such an identifier. */
    public Optional<String> normalise(String text) {
        if (text == null) return Optional.empty();
        String t = text.strip();
        if (t.isEmpty() || t.length() > 320) return Optional.empty();
        return switch (this) {
            case EMAIL -> {
                String e = t.toLowerCase(Locale.ROOT);
                int at = e.indexOf('@');
                yield at > 0 && at == e.lastIndexOf('@') && at < e.length() - 1 && !e.contains(" ")
                        ? Optional.of(e)
                        : Optional.empty();
            }
            case PHONE -> e164(t);
            case EXTERNAL_ID, VISITOR -> Optional.of(t);
        };
    }

    /** E.164 ({@code +32471234567}); numbers must carry their country code. */
    private static Optional<String> e164(String text) {
        var util = PhoneNumberUtil.getInstance();
        try {
            var number = util.parse(text, "ZZ");
            return util.isPossibleNumber(number)
                    ? Optional.of(util.format(number, PhoneNumberUtil.PhoneNumberFormat.E164))
                    : Optional.empty();
        } catch (NumberParseException e) {
            return Optional.empty();
        }
    }

    public String problem() {
        return switch (this) {
            case EMAIL -> "is not an email address";
            case PHONE -> "is not a phone number in international form (+32 471 23 45 67)";
            case EXTERNAL_ID, VISITOR -> "must be a non-empty text of at most 320 characters";
        };
    }
}
