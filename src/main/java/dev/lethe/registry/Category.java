package dev.lethe.registry;

import java.util.List;
import java.util.Map;

/**
 * A kind of personal value (an email address, an IP address, message content) with why it is
 * held, on which lawful basis, where it comes from, and how long it lives. {@code bySubject} lets
 * one category differ per subject type (advocates' IP addresses come from the API, managers'
 * from a form).
 */
public record Category(
        String name,
        String title,
        String description,
        String purpose,
        LawfulBasis lawfulBasis,
        Source source,
        boolean required,
        boolean enabled,
        List<String> subjects,
        RetentionRule retention,
        Map<String, Override> bySubject) {

    public Category {
        subjects = List.copyOf(subjects);
        bySubject = Collections2.orderedCopy(bySubject);
    }

    /** What differs for one subject type; null fields inherit from the category. */
    public record Override(
            String description,
            String purpose,
            LawfulBasis lawfulBasis,
            Source source,
            Boolean required,
            RetentionRule retention) {}

    /** This category as it applies to one subject type, with its override folded in. */
    public Category forSubject(String subject) {
        var o = bySubject.get(subject);
        if (o == null) return this;
        return new Category(
                name,
                title,
                o.description() != null ? o.description() : description,
                o.purpose() != null ? o.purpose() : purpose,
                o.lawfulBasis() != null ? o.lawfulBasis() : lawfulBasis,
                o.source() != null ? o.source() : source,
                o.required() != null ? o.required() : required,
                enabled,
                subjects,
                o.retention() != null ? o.retention() : retention,
                Map.of());
    }
}
