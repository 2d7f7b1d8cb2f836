package dev.lethe.registry;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * A profile field an account adds to its profiles (age, shoe size, loyalty tier): its key, the
 * name shown in lists and on the profile, the category its values belong to, and their type. A
 * custom field {@code shoe_size} receives the trait {@code traits.shoe_size}.
 */
public record CustomField(String key, String displayName, String category, Type type) {

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

    /** The field path its values arrive under. */
    public String field() {
        return "traits." + key;
    }
}
