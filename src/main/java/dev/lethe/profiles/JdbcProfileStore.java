package dev.lethe.profiles;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.Ids;
import dev.lethe.subjects.JdbcSubjectStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Profile lists, tags and custom field indexes in SQL. */
public final class JdbcProfileStore implements ProfileStore {

    private static final String VISITS =
            "(select count(*) from sessions v where v.account_id = s.account_id and v.subject_id = s.subject_id)";

    private static final String TAGGED = """
            exists (select 1 from profile_tags t where t.account_id = s.account_id
              and t.subject_id = s.subject_id and t.tag_index = :tag)""";

    private static final String ACHIEVED = """
            exists (select 1 from goal_hits g where g.account_id = s.account_id
              and g.subject_id = s.subject_id and g.goal_id = :goal)""";

    /**
     * A restricted person (GDPR Art. 18, kept with their requests: subjects.Restrictions) is left
     * out of every list and segment until the restriction is lifted.
     */
    private static final String NOT_RESTRICTED = """
            not exists (select 1 from requests q where q.account_id = s.account_id
              and q.subject_id = s.subject_id and q.restricted)""";

    /** The n-th field condition: its latest value has this blind index (placeholders numbered). */
    private static final String HOLDING_FIELD_VALUE = """
            exists (select 1 from field_values f where f.account_id = s.account_id
              and f.subject_id = s.subject_id and f.field_key = :fieldKey%d and f.value_index = :fieldIndex%d)""";

    @Override
    public List<ProfileFilter.Listed> list(Handle h, String accountId, ProfileFilter f) {
        // one statement, its conditions chosen by the filter (every value is bound, never spliced)
        String sort = f.sort();
        var sql = new StringBuilder("select s.*, ")
                .append(sort.equals("visits") ? VISITS : "null")
                .append(" as visits from subjects s where s.account_id = :account and s.identified = true")
                .append(" and ")
                .append(NOT_RESTRICTED);
        if (f.subjectIds() != null)
            sql.append(f.subjectIds().isEmpty() ? " and 1 = 0" : " and s.subject_id in (<ids>)");
        if (f.tagIndex() != null) {
            sql.append(" and ").append(TAGGED);
        }
        if (f.goalId() != null) {
            sql.append(" and ").append(ACHIEVED);
        }
        var fields = List.copyOf(f.fieldIndexes().entrySet());
        for (int i = 0; i < fields.size(); i++) {
            sql.append(" and ").append(HOLDING_FIELD_VALUE.formatted(i, i));
        }
        if (f.lastSeenFrom() != null) sql.append(" and s.last_seen_at >= :from");
        if (f.lastSeenTo() != null) sql.append(" and s.last_seen_at < :to");
        var after = f.after();
        if (after != null) sql.append(after(sort));
        sql.append(" order by ").append(order(sort)).append(" limit :limit");
        var q = h.createQuery(sql.toString()).bind("account", accountId).bind("limit", f.limit());
        if (f.subjectIds() != null && !f.subjectIds().isEmpty()) q.bindList("ids", Ids.uuids(f.subjectIds()));
        if (f.tagIndex() != null) q.bind("tag", f.tagIndex());
        if (f.goalId() != null) q.bind("goal", f.goalId());
        for (int i = 0; i < fields.size(); i++) {
            q.bind("fieldKey" + i, fields.get(i).getKey())
                    .bind("fieldIndex" + i, fields.get(i).getValue());
        }
        if (f.lastSeenFrom() != null) q.bind("from", utc(f.lastSeenFrom()));
        if (f.lastSeenTo() != null) q.bind("to", utc(f.lastSeenTo()));
        if (after != null) {
            q.bind("afterAt", utc(after.at())).bind("afterId", after.subjectId());
            if (sort.equals("visits")) q.bind("afterVisits", after.visits());
        }
        return q.map((rs, ctx) -> {
                    var subject = JdbcSubjectStore.subject(rs, ctx);
                    var position = new ProfileCursor(
                            sort,
                            sort.equals("firstVisit") ? subject.firstSeenAt() : subject.lastSeenAt(),
                            sort.equals("visits") ? rs.getInt("visits") : null,
                            subject.subjectId());
                    return new ProfileFilter.Listed(subject, position);
                })
                .list();
    }

    private static String order(String sort) {
        return switch (sort) {
            case "firstVisit" -> "s.first_seen_at asc, s.subject_id";
            case "visits" -> "visits desc, s.last_seen_at desc, s.subject_id";
            default -> "s.last_seen_at desc, s.subject_id";
        };
    }

    /** Where the next page starts: after the cursor's position in the list's order. */
    private static String after(String sort) {
        return switch (sort) {
            // the first bound repeats the condition's outer one alone, so the index on the time is
            // scanned from the cursor on, not from the list's start (else each page reads every
            // row before it: quadratic over an export)
            case "firstVisit" ->
                " and s.first_seen_at >= :afterAt"
                        + " and (s.first_seen_at > :afterAt or (s.first_seen_at = :afterAt and s.subject_id > :afterId))";
            case "visits" ->
                " and (" + VISITS + " < :afterVisits or (" + VISITS + " = :afterVisits and"
                        + " (s.last_seen_at < :afterAt or (s.last_seen_at = :afterAt and s.subject_id > :afterId))))";
            default ->
                " and s.last_seen_at <= :afterAt"
                        + " and (s.last_seen_at < :afterAt or (s.last_seen_at = :afterAt and s.subject_id > :afterId))";
        };
    }

    @Override
    public Optional<Instant> fieldValueCollectedAt(Handle h, String accountId, String subjectId, String fieldKey) {
        return h.createQuery("""
                        select collected_at from field_values
                        where account_id = :account and field_key = :field and subject_id = :subject
                        """)
                .bind("account", accountId)
                .bind("field", fieldKey)
                .bind("subject", subjectId)
                .map((rs, ctx) -> instant(rs, "collected_at"))
                .findOne();
    }

    @Override
    public void deleteFieldValue(Handle h, String accountId, String subjectId, String fieldKey) {
        h.createUpdate("""
                        delete from field_values
                        where account_id = :account and field_key = :field and subject_id = :subject
                        """)
                .bind("account", accountId)
                .bind("field", fieldKey)
                .bind("subject", subjectId)
                .execute();
    }

    @Override
    public void insertFieldValue(
            Handle h,
            String accountId,
            String subjectId,
            String fieldKey,
            String valueIndex,
            String category,
            Instant collectedAt) {
        h.createUpdate("""
                        insert into field_values
                          (account_id, field_key, subject_id, value_index, category, collected_at, value_seq)
                        values (:account, :field, :subject, :index, :category, :at,
                                coalesce((select max(v.seq) from personal_values v
                                          where v.account_id = :account and v.subject_id = :subject
                                            and v.field = :path and v.collected_at = :at), 0))
                        """)
                .bind("path", "traits." + fieldKey)
                .bind("account", accountId)
                .bind("field", fieldKey)
                .bind("subject", subjectId)
                .bind("index", valueIndex)
                .bind("category", category)
                .bind("at", utc(collectedAt))
                .execute();
    }

    @Override
    public void insertFieldValues(Handle h, String accountId, java.util.List<NewFieldValue> values) {
        if (values.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into field_values
                  (account_id, field_key, subject_id, value_index, category, collected_at, value_seq)
                values (:account, :field, :subject, :index, :category, :at,
                        coalesce((select max(v.seq) from personal_values v
                                  where v.account_id = :account and v.subject_id = :subject
                                    and v.field = :path and v.collected_at = :at), 0))
                """);
        for (var v : values)
            batch.bind("path", "traits." + v.fieldKey())
                    .bind("account", accountId)
                    .bind("field", v.fieldKey())
                    .bind("subject", v.subjectId())
                    .bind("index", v.valueIndex())
                    .bind("category", v.category())
                    .bind("at", utc(v.collectedAt()))
                    .add();
        batch.execute();
    }

    @Override
    public void deleteFieldValuesOutdatedBy(Handle h, String accountId, String fromSubject, String toSubject) {
        h.createUpdate("""
                        delete from field_values
                        where account_id = :account and subject_id = :from
                          and exists (select 1 from field_values k where k.account_id = :account
                                      and k.subject_id = :to and k.field_key = field_values.field_key
                                      and (k.collected_at > field_values.collected_at
                                           or (k.collected_at = field_values.collected_at
                                               and k.value_seq > field_values.value_seq)))
                        """)
                .bind("account", accountId)
                .bind("from", fromSubject)
                .bind("to", toSubject)
                .execute();
    }

    @Override
    public void deleteFieldValuesReplacedBy(Handle h, String accountId, String fromSubject, String toSubject) {
        h.createUpdate("""
                        delete from field_values
                        where account_id = :account and subject_id = :to
                          and field_key in (select m.field_key from field_values m
                                            where m.account_id = :account and m.subject_id = :from)
                        """)
                .bind("account", accountId)
                .bind("from", fromSubject)
                .bind("to", toSubject)
                .execute();
    }

    @Override
    public boolean hasTag(Handle h, String accountId, String tagIndex, String subjectId) {
        return h.createQuery("""
                                select count(*) from profile_tags
                                where account_id = :account and tag_index = :tag and subject_id = :subject
                                """)
                        .bind("account", accountId)
                        .bind("tag", tagIndex)
                        .bind("subject", subjectId)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public void insertTag(
            Handle h, String accountId, String tagIndex, String subjectId, String category, Instant collectedAt) {
        h.createUpdate("""
                        insert into profile_tags (account_id, tag_index, subject_id, category, collected_at)
                        values (:account, :tag, :subject, :category, :at)
                        """)
                .bind("account", accountId)
                .bind("tag", tagIndex)
                .bind("subject", subjectId)
                .bind("category", category)
                .bind("at", utc(collectedAt))
                .execute();
    }

    @Override
    public boolean removeTag(Handle h, String accountId, String tagIndex, String subjectId) {
        return h.createUpdate("""
                                delete from profile_tags
                                where account_id = :account and tag_index = :tag and subject_id = :subject
                                """)
                        .bind("account", accountId)
                        .bind("tag", tagIndex)
                        .bind("subject", subjectId)
                        .execute()
                == 1;
    }

    @Override
    public void deleteTagsCarriedBy(Handle h, String accountId, String fromSubject, String toSubject) {
        h.createUpdate("""
                        delete from profile_tags
                        where account_id = :account and subject_id = :from
                          and tag_index in (select tag_index from profile_tags where account_id = :account and subject_id = :to)
                        """)
                .bind("account", accountId)
                .bind("from", fromSubject)
                .bind("to", toSubject)
                .execute();
    }
}
