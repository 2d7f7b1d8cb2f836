package dev.lethe.registry;

import java.util.List;
import java.util.Map;

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
        Map<String, List<String>> categories) {

    /** Safeguards for transfers outside the EEA (GDPR Chapter V). */
    public static final List<String> SAFEGUARDS = List.of("SCC", "BCR", "adequacy", "DPF", "derogation");

    public Processor {
        safeguards = List.copyOf(safeguards);
        categories = Collections2.orderedCopy(categories);
    }
}
