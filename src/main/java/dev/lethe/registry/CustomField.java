package dev.lethe.registry;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * A profile field an account adds to its profiles (age, shoe size, loyalty tier): its key, the
 * name shown in lists and on the profile, the category its values belong to, and their type. A
 * custom field {@code shoe_size} receives the trait {@code traits.shoe_size}.
 *
 * <p>A {@code filterable} field can be matched by equality in profile lists and saved segments.
 * Its values get a blind index (never the value) so that lookups need no decryption, which tells
 * anyone reading the database which profiles share a value, though not the value; and a segment
 * stores the value it filters on in plain text. So only fields that do not identify a person (a
 * loyalty tier, a plan, a country) should be declared filterable.
 */
public record CustomField(String key, String displayName, String category, Type type, boolean filterable) {

    /** What a key looks like: lower_snake_case, at most 64 characters (its field is traits.<key>). */
    public static final String KEY = "[a-z][a-z0-9_]{0,63}";

    public CustomField(String key, String displayName, String category, Type type) {
        this(key, displayName, category, type, false);
    }

    /** What a value must look like. */
    public enum Type {
        TEXT,
        NUMBER,
        BOOLEAN,
        DATE;

        public String wireName() {
            return Wire.name(this);
        }

        /**
         * A stored value in its type, as a profile shows it: a number (a {@link BigDecimal}) for a
         * number field, {@code true} or {@code false} for a boolean one, else the text. A stored
         * text that does not fit (the field's type changed after it was stored) stays a text.
         */
        public Object typed(String text) {
            if (!accepts(text)) return text;
            return switch (this) {
                case NUMBER -> new BigDecimal(text);
                case BOOLEAN -> Boolean.valueOf(text);
                case TEXT, DATE -> text;
            };
        }

        /** True when the text is a value of this type. */
        public boolean accepts(String text) {
            return switch (this) {
                case TEXT -> true;
                case NUMBER -> text.matches("-?\\d+(\\.\\d+)?");
                case BOOLEAN -> text.equals("true") || text.equals("false");
                case DATE -> {
                    try {
                        LocalDate.parse(text);
                        yield true;
                    } catch (DateTimeParseException e) {
                        yield false;
                    }
                }
            };
        }
    }

    /**
     * A value as it arrives, in the form it is stored: without leading and trailing whitespace.
     * Empty when that leaves nothing: a blank value is no value, so nothing is stored and the
     * profile keeps the value it has. Whether it fits the type is {@link Type#accepts}'s to say.
     */
    public Optional<String> arriving(String value) {
        String v = value.strip();
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /**
     * The form in which values are compared: trimmed; text case-insensitively; numbers by value
     * (1.50 equals 1.5). Call only with a value {@link Type#accepts accepted} by the type.
     */
    public String normalise(String value) {
        String v = value.strip();
        return switch (type) {
            case TEXT -> v.toLowerCase(Locale.ROOT);
            case NUMBER -> new BigDecimal(v).stripTrailingZeros().toPlainString();
            case BOOLEAN, DATE -> v;
        };
    }

    /** The field path its values arrive under. */
    public String field() {
        return "traits." + key;
    }
}
