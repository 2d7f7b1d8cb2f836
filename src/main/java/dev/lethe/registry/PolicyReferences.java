package dev.lethe.registry;

import dev.lethe.errors.FieldError;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What else in an account relies on its policy (saved segments filter on custom fields). A new
 * version that would leave something relying on what it removes or changes is refused, naming
 * each, instead of breaking it silently.
 */
public interface PolicyReferences {

    /** Nothing relies on policies. */
    PolicyReferences NONE = (h, accountId, next) -> List.of();

    /**
     * One error per thing the version {@code next} would break, at the path of the policy entry it
     * relies on (customFields.tier), saying what relies on it and what to do; empty when none.
     */
    List<FieldError> brokenBy(Handle h, String accountId, Policy next);
}
