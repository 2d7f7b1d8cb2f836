package dev.lethe.registry;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sub-processor or integration that receives personal data: who, where, why, under which
 * safeguards, and which categories it receives for each subject type. An optional one
 * ({@code required: false}) is one the controller may refuse.
 */
public record Processor(
        String name,
        String address,
        String purpose,
        String location,
        List<String> safeguards,
        String measures,
        boolean required,
        Map<String, List<String>> categories,
        String effectiveFrom) {

    /** Safeguards for transfers outside the EEA (GDPR Chapter V). */
    public static final List<String> SAFEGUARDS = List.of("SCC", "BCR", "adequacy", "DPF", "derogation");

    public Processor {
        safeguards = List.copyOf(safeguards);
        categories = Collections2.orderedCopy(categories);
    }

    /** A processor active from the start. */
    public Processor(
            String name,
            String address,
            String purpose,
            String location,
            List<String> safeguards,
            String measures,
            boolean required,
            Map<String, List<String>> categories) {
        this(name, address, purpose, location, safeguards, measures, required, categories, null);
    }

    /** When it starts receiving data, if it was given and reads as an ISO date or instant. */
    public Optional<Instant> effectiveInstant() {
        return parseEffective(effectiveFrom);
    }

    /** Whether it receives data at {@code now}: no effectiveFrom, or one not after now. */
    public boolean activeAt(Instant now) {
        return effectiveInstant().map(from -> !from.isAfter(now)).orElse(true);
    }

    /** An ISO date (its start in UTC) or instant, or empty when null or neither. */
    public static Optional<Instant> parseEffective(String text) {
        if (text == null) return Optional.empty();
        try {
            return Optional.of(
                    LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(Instant.parse(text));
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }
}
