package dev.lethe.profiles;

import java.time.Instant;
import java.time.Period;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a profile list is filtered and ordered by, apart from exact email or phone: the part a
 * saved segment keeps, since none of it names a person. Null means "any".
 *
 * @param tag profiles carrying this tag (case-insensitive)
 * @param goal profiles that achieved this goal (its id or name)
 * @param engagement profiles at this engagement level (high, medium, low, none)
 * @param fields profiles whose value of each filterable custom field (key) equals this one
 * @param lastVisitFrom last visit at or after, absolute
 * @param lastVisitTo last visit before
 * @param lastVisitWithin last visit within this period before the moment of listing
 * @param sort lastVisit, firstVisit or visits
 */
public record ProfileCriteria(
        String tag,
        String goal,
        String engagement,
        Map<String, String> fields,
        Instant lastVisitFrom,
        Instant lastVisitTo,
        Period lastVisitWithin,
        String sort) {

    public static final ProfileCriteria NONE = new ProfileCriteria(null, null, null, Map.of(), null, null, null, null);

    public ProfileCriteria {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields == null ? Map.of() : fields));
    }

    /**
     * These criteria refined by others (a query on a saved segment): what the others set wins,
     * field by field; a start of the last-visit range, absolute or relative, replaces both.
     */
    public ProfileCriteria refinedBy(ProfileCriteria more) {
        var allFields = new LinkedHashMap<>(fields);
        allFields.putAll(more.fields());
        boolean newStart = more.lastVisitFrom() != null || more.lastVisitWithin() != null;
        return new ProfileCriteria(
                more.tag() != null ? more.tag() : tag,
                more.goal() != null ? more.goal() : goal,
                more.engagement() != null ? more.engagement() : engagement,
                allFields,
                newStart ? more.lastVisitFrom() : lastVisitFrom,
                more.lastVisitTo() != null ? more.lastVisitTo() : lastVisitTo,
                newStart ? more.lastVisitWithin() : lastVisitWithin,
                more.sort() != null ? more.sort() : sort);
    }

    /** The criteria as JSON names them (a saved segment's filter, an export's): only those given. */
    public Map<String, Object> asMap() {
        var out = new LinkedHashMap<String, Object>();
        if (tag != null) out.put("tag", tag);
        if (goal != null) out.put("goal", goal);
        if (engagement != null) out.put("engagement", engagement);
        if (!fields.isEmpty()) out.put("fields", fields);
        if (lastVisitFrom != null) out.put("lastVisitFrom", lastVisitFrom.toString());
        if (lastVisitTo != null) out.put("lastVisitTo", lastVisitTo.toString());
        if (lastVisitWithin != null) out.put("lastVisitWithin", lastVisitWithin.toString());
        if (sort != null) out.put("sort", sort);
        return out;
    }
}
