package dev.lethe.registry;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;

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
