package dev.lethe.profiles;

import dev.lethe.registry.CustomField;
import dev.lethe.values.Sensitive;
import java.util.Map;

/**
 * A profile's value of a trait, decrypted, with the type of the custom field it fills (text for a
 * trait that fills none).
 */
public record FieldValue(Sensitive text, CustomField.Type type) {

    /**
     * The value in its type: a number, true or false, or the text ({@link CustomField.Type#typed});
     * a list of values (which only a trait that fills no custom field holds) as its texts.
     */
    public Object typed() {
        return text.isList() ? text.items() : type.typed(text.value());
    }

    /** The value of a trait {@code key} under the policy's custom fields. */
    static FieldValue of(Sensitive text, String key, Map<String, CustomField> custom) {
        var field = custom.get(key);
        return new FieldValue(text, field == null ? CustomField.Type.TEXT : field.type());
    }
}
