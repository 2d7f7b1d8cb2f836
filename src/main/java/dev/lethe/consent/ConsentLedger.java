package dev.lethe.consent;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The consent tables in SQL (V20): privacy-policy versions, the append-only ledger of consents and
 * their purposes, and minors. Every statement starts with the account.
 */
final class ConsentLedger {

    void insertPolicy(Handle h, String accountId, PrivacyPolicyVersion v) {
        h.createUpdate("""
                        insert into privacy_policies (account_id, version, url, published_at, material,
                                                      requires_reconsent, created_at)
                        values (:account, :version, :url, :published, :material, :reconsent, :created)
                        """)
                .bind("account", accountId)
                .bind("version", v.version())
                .bind("url", v.url())
                .bind("published", utc(v.publishedAt()))
                .bind("material", v.material())
                .bind("reconsent", v.requiresReconsent())
                .bind("created", utc(v.createdAt()))
                .execute();
    }

    List<PrivacyPolicyVersion> policies(Handle h, String accountId) {
        return h.createQuery("select * from privacy_policies where account_id = :account"
                        + " order by published_at desc, version desc")
                .bind("account", accountId)
                .map((rs, ctx) -> policy(rs))
                .list();
    }

    Optional<PrivacyPolicyVersion> policy(Handle h, String accountId, String version) {
        return h.createQuery("select * from privacy_policies where account_id = :account and version = :version")
                .bind("account", accountId)
                .bind("version", version)
                .map((rs, ctx) -> policy(rs))
                .findOne();
    }

    /** The latest version published by {@code at}, the one a person answering then was shown. */
    Optional<PrivacyPolicyVersion> inForce(Handle h, String accountId, Instant at) {
        return h.createQuery("select * from privacy_policies where account_id = :account and published_at <= :at"
                        + " order by published_at desc, version desc limit 1")
                .bind("account", accountId)
                .bind("at", utc(at))
                .map((rs, ctx) -> policy(rs))
                .findOne();
    }

    /**
     * The publication of the latest version requiring re-consent published by {@code at}: grants
     * under versions published before it are not current. Empty when there is none.
     */
    Optional<Instant> reconsentSince(Handle h, String accountId, Instant at) {
        return h.createQuery("""
                        select max(published_at) from privacy_policies
                        where account_id = :account and requires_reconsent and published_at <= :at
                        """)
                .bind("account", accountId)
                .bind("at", utc(at))
                .map((rs, ctx) -> rs.getObject(1, java.time.OffsetDateTime.class))
                .findOne()
                .map(java.time.OffsetDateTime::toInstant);
    }

    /**
     * The people among {@code subjectIds} whose latest answer on {@code purpose} is a grant recorded
     * from a request carrying {@code Sec-GPC: 1}.
     */
    Set<String> grantedUnderGpc(Handle h, String accountId, Collection<String> subjectIds, String purpose) {
        if (subjectIds.isEmpty()) return Set.of();
        return new HashSet<>(h.createQuery("""
                        select p.subject_id from consent_purposes p
                        join consents c on c.account_id = p.account_id and c.consent_id = p.consent_id
                        where p.account_id = :account and p.purpose = :purpose and p.subject_id in (<subjects>)
                          and p.granted and c.gpc
                          and not exists (select 1 from consent_purposes l
                                          where l.account_id = p.account_id and l.subject_id = p.subject_id
                                            and l.purpose = p.purpose
                                            and (l.consented_at > p.consented_at
                                                 or (l.consented_at = p.consented_at and l.consent_id > p.consent_id)))
                        """)
                .bind("account", accountId)
                .bind("purpose", purpose)
                .bindList("subjects", Ids.uuids(subjectIds))
                .mapTo(String.class)
                .list());
    }

    void insert(Handle h, String accountId, Consent c, Instant policyPublishedAt, boolean gpc) {
        h.createUpdate("""
                        insert into consents (account_id, consent_id, subject_id, policy_version, source,
                                              consented_at, recorded_at, proof_form, proof_ip_hash, gpc)
                        values (:account, :id, :subject, :version, :source, :at, :recorded, :form, :ip, :gpc)
                        """)
                .bind("gpc", gpc)
                .bind("account", accountId)
                .bind("id", c.consentId())
                .bind("subject", c.subjectId())
                .bind("version", c.policyVersion())
                .bind("source", c.source())
                .bind("at", utc(c.consentedAt()))
                .bind("recorded", utc(c.recordedAt()))
                .bind("form", c.proofForm())
                .bind("ip", c.proofIpHash())
                .execute();
        var batch = h.prepareBatch("""
                insert into consent_purposes (account_id, consent_id, subject_id, purpose, granted, consented_at,
                                              policy_published_at)
                values (:account, :id, :subject, :purpose, :granted, :at, :published)
                """);
        c.purposes()
                .forEach((purpose, granted) -> batch.bind("account", accountId)
                        .bind("id", c.consentId())
                        .bind("subject", c.subjectId())
                        .bind("purpose", purpose)
                        .bind("granted", granted)
                        .bind("at", utc(c.consentedAt()))
                        .bind("published", utc(policyPublishedAt))
                        .add());
        batch.execute();
    }

    /** One person's ledger, oldest first. */
    List<Consent> history(Handle h, String accountId, String subjectId) {
        var consents = h.createQuery("select * from consents where account_id = :account and subject_id = :subject"
                        + " order by consented_at, consent_id")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map((rs, ctx) -> header(rs))
                .list();
        return withPurposes(h, accountId, consents);
    }

    Optional<Consent> consent(Handle h, String accountId, String consentId) {
        var header = h.createQuery("select * from consents where account_id = :account and consent_id = :id")
                .bind("account", accountId)
                .bind("id", consentId)
                .map((rs, ctx) -> header(rs))
                .findOne();
        return header.map(c -> withPurposes(h, accountId, List.of(c)).get(0));
    }

    private static List<Consent> withPurposes(Handle h, String accountId, List<Consent> headers) {
        if (headers.isEmpty()) return headers;
        var byConsent = new HashMap<String, Map<String, Boolean>>();
        h.createQuery("""
                        select consent_id, purpose, granted from consent_purposes
                        where account_id = :account and consent_id in (<ids>) order by purpose
                        """)
                .bind("account", accountId)
                .bindList(
                        "ids",
                        Ids.uuids(headers.stream().map(Consent::consentId).toList()))
                .map((rs, ctx) -> {
                    byConsent
                            .computeIfAbsent(rs.getString("consent_id"), x -> new LinkedHashMap<>())
                            .put(rs.getString("purpose"), rs.getBoolean("granted"));
                    return 0;
                })
                .list();
        var out = new ArrayList<Consent>();
        for (var c : headers) {
            out.add(new Consent(
                    c.consentId(),
                    c.subjectId(),
                    c.policyVersion(),
                    c.source(),
                    c.consentedAt(),
                    c.recordedAt(),
                    c.proofForm(),
                    c.proofIpHash(),
                    byConsent.getOrDefault(c.consentId(), Map.of())));
        }
        return out;
    }

    /** The latest ledger row of each purpose of each subject, with whether a grant is still current. */
    Map<String, Map<String, PurposeState>> latest(
            Handle h, String accountId, Collection<String> subjectIds, Optional<Instant> reconsentSince) {
        var out = new HashMap<String, Map<String, PurposeState>>();
        if (subjectIds.isEmpty()) return out;
        h.createQuery("""
                        select p.subject_id, p.purpose, p.granted, p.consented_at, p.policy_published_at,
                               p.consent_id, c.policy_version, c.source
                        from consent_purposes p
                        join consents c on c.account_id = p.account_id and c.consent_id = p.consent_id
                        where p.account_id = :account and p.subject_id in (<subjects>)
                        order by p.consented_at, p.consent_id
                        """)
                .bind("account", accountId)
                .bindList("subjects", Ids.uuids(subjectIds))
                .map((rs, ctx) -> {
                    boolean granted = rs.getBoolean("granted");
                    Instant published = instant(rs, "policy_published_at");
                    boolean current = granted
                            && published != null
                            && reconsentSince
                                    .map(since -> !published.isBefore(since))
                                    .orElse(true);
                    var state = new PurposeState(
                            rs.getString("purpose"),
                            granted,
                            current,
                            instant(rs, "consented_at"),
                            rs.getString("policy_version"),
                            rs.getString("source"),
                            rs.getString("consent_id"));
                    // oldest first: the latest row of a purpose wins
                    out.computeIfAbsent(rs.getString("subject_id"), x -> new LinkedHashMap<>())
                            .put(state.purpose(), state);
                    return 0;
                })
                .list();
        return out;
    }

    /** The subjects among these who are minors on {@code today}. */
    List<String> minors(Handle h, String accountId, Collection<String> subjectIds, LocalDate today) {
        if (subjectIds.isEmpty()) return List.of();
        return h.createQuery("""
                        select subject_id from consent_minors
                        where account_id = :account and subject_id in (<subjects>) and adult_on > :today
                        """)
                .bind("account", accountId)
                .bindList("subjects", Ids.uuids(subjectIds))
                .bind("today", today)
                .mapTo(String.class)
                .list();
    }

    void markMinor(Handle h, String accountId, String subjectId, LocalDate adultOn) {
        clearMinor(h, accountId, subjectId);
        h.createUpdate("insert into consent_minors (account_id, subject_id, adult_on) values (:account, :subject, :on)")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("on", adultOn)
                .execute();
    }

    void clearMinor(Handle h, String accountId, String subjectId) {
        h.createUpdate("delete from consent_minors where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .execute();
    }

    /**
     * The people a new version affects: those whose latest answer on some purpose is a grant given
     * under an earlier version (published before {@code publishedAt}).
     */
    List<String> grantedBefore(Handle h, String accountId, Instant publishedAt) {
        return h.createQuery("""
                        select distinct p.subject_id from consent_purposes p
                        where p.account_id = :account and p.granted and p.policy_published_at < :published
                          and not exists (select 1 from consent_purposes l
                                          where l.account_id = p.account_id and l.subject_id = p.subject_id
                                            and l.purpose = p.purpose
                                            and (l.consented_at > p.consented_at
                                                 or (l.consented_at = p.consented_at and l.consent_id > p.consent_id)))
                        order by p.subject_id
                        """)
                .bind("account", accountId)
                .bind("published", utc(publishedAt))
                .mapTo(String.class)
                .list();
    }

    /**
     * A merge: the ledger moves to the survivor; a minor stays one (the later coming of age of the
     * two is kept).
     */
    static int moveMinor(Handle h, String accountId, String from, String into) {
        h.createUpdate("""
                        delete from consent_minors where account_id = :account and subject_id = :into
                          and adult_on < (select adult_on from consent_minors where account_id = :account and subject_id = :from)
                        """)
                .bind("account", accountId)
                .bind("from", from)
                .bind("into", into)
                .execute();
        h.createUpdate("""
                        delete from consent_minors where account_id = :account and subject_id = :from
                          and exists (select 1 from consent_minors where account_id = :account and subject_id = :into)
                        """)
                .bind("account", accountId)
                .bind("from", from)
                .bind("into", into)
                .execute();
        return h.createUpdate(
                        "update consent_minors set subject_id = :into where account_id = :account and subject_id = :from")
                .bind("account", accountId)
                .bind("from", from)
                .bind("into", into)
                .execute();
    }

    private static PrivacyPolicyVersion policy(ResultSet rs) throws SQLException {
        return new PrivacyPolicyVersion(
                rs.getString("version"),
                rs.getString("url"),
                instant(rs, "published_at"),
                rs.getBoolean("material"),
                rs.getBoolean("requires_reconsent"),
                instant(rs, "created_at"));
    }

    private static Consent header(ResultSet rs) throws SQLException {
        return new Consent(
                rs.getString("consent_id"),
                rs.getString("subject_id"),
                rs.getString("policy_version"),
                rs.getString("source"),
                instant(rs, "consented_at"),
                instant(rs, "recorded_at"),
                rs.getString("proof_form"),
                rs.getString("proof_ip_hash"),
                Map.of());
    }
}
