package dev.lethe.consent;

import dev.lethe.registry.Category;
import dev.lethe.registry.Intake;
import dev.lethe.registry.LawfulBasis;
import dev.lethe.registry.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * The gate every ingest path passes values through before they are stored or forwarded (DESIGN
 * promise 8): a value of a category whose lawful basis is consent needs a current grant for the
 * category's purpose, and a minor gets none; a value of a category held on legitimate interests
 * or a public task stops once the person objected to its purpose; and a request sent with {@code
 * Sec-GPC: 1} carries no value whose purpose is {@code targeting}, whatever its basis.
 */
public final class ConsentGate {

    /** The purpose Global Privacy Control objects to. */
    public static final String TARGETING = "targeting";

    private ConsentGate() {}

    /** Why a value is not kept, or that it is. */
    public enum Verdict {
        KEEP,
        NO_CONSENT,
        MINOR,
        GPC
    }

    /** The verdict on one value of {@code category} (as it applies to the person's type). */
    public static Verdict judge(Category category, Standing standing, boolean gpc) {
        String purpose = category.purpose();
        if (gpc && TARGETING.equals(purpose)) return Verdict.GPC;
        return switch (category.lawfulBasis()) {
            case CONSENT ->
                standing.minor() ? Verdict.MINOR : standing.grants(purpose) ? Verdict.KEEP : Verdict.NO_CONSENT;
            case LEGITIMATE_INTERESTS, PUBLIC_TASK -> standing.objects(purpose) ? Verdict.NO_CONSENT : Verdict.KEEP;
            default -> Verdict.KEEP;
        };
    }

    /**
     * Whether a value of the category named {@code categoryName} passes the gate for a person with
     * {@code standing} (a name the policy does not know passes, as in {@link #filter}).
     */
    public static boolean keeps(
            Policy policy, String subjectType, Standing standing, boolean gpc, String categoryName) {
        var category = policy.categories().get(categoryName);
        if (category == null) return true;
        if (subjectType != null) category = category.forSubject(subjectType);
        return judge(category, standing, gpc) == Verdict.KEEP;
    }

    /**
     * Whether the identifier stored as {@code field} may be used (to find a person, or claimed as
     * theirs) for a person with {@code standing}: it passes when the value kept for it, among
     * {@code kept}, is of a category the gate lets through. An identifier the policy files under no
     * kept category passes. Identify and messages share this rule (docs/consent.md, "Identifiers").
     */
    public static <T> boolean usable(
            Policy policy,
            String subjectType,
            Standing standing,
            boolean gpc,
            List<Intake.Kept<T>> kept,
            String field) {
        for (var k : kept) {
            if (k.field().equals(field)) return keeps(policy, subjectType, standing, gpc, k.category());
        }
        return true;
    }

    /** Whether a category needs a grant for its purpose. */
    public static boolean consentBased(Category category) {
        return category.lawfulBasis() == LawfulBasis.CONSENT;
    }

    /**
     * The values of one person that pass the gate, in order; those that do not are counted in
     * {@code tally}. {@code subjectType} null means the categories' own rules (no override).
     */
    public static <T> List<Intake.Kept<T>> filter(
            Policy policy,
            String subjectType,
            Standing standing,
            boolean gpc,
            List<Intake.Kept<T>> values,
            ConsentReport.Tally tally) {
        var out = new ArrayList<Intake.Kept<T>>(values.size());
        for (var v : values) {
            if (keeps(policy, subjectType, standing, gpc, v.category())) out.add(v);
            else tally.dropped();
        }
        return out;
    }
}
