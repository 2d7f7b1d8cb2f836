package dev.lethe.subjects;

import java.util.Collection;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Which people are restricted (GDPR Art. 18): their new activity is not stored, and they are left
 * out of lists, segments and exports until the restriction is lifted. The requests feature keeps
 * restrictions; ingest and lists ask here, in their own transaction, after locking the people.
 */
@FunctionalInterface
public interface Restrictions {

    /** Which of these subjects are restricted now. */
    Set<String> restrictedAmong(Handle h, String accountId, Collection<String> subjectIds);
}
