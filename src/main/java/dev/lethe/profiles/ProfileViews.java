package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.activity.ActivityStore;
import dev.lethe.activity.Session;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.consent.Consents;
import dev.lethe.crypto.SubjectKeyDestroyed;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.goals.Goal;
import dev.lethe.goals.GoalHit;
import dev.lethe.goals.GoalService;
import dev.lethe.registry.PolicyService;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.SubjectStore;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import dev.lethe.values.StoredValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** What a profile shows: contact information, traits, tags, a summary and its visits. */
public final class ProfileViews {

    private final Jdbi jdbi;
    private final SubjectDirectory directory;
    private final SubjectStore subjects;
    private final PersonalValues values;
    private final ActivityStore activity;
    private final GoalService goals;
    private final PolicyService policies;
    private final Consents consents;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration sessionTimeout;

    public ProfileViews(
            Jdbi jdbi,
            SubjectDirectory subjects,
            PersonalValues values,
            ActivityStore activity,
            GoalService goals,
            PolicyService policies,
            Consents consents,
            AuditLog audit,
            Clock clock,
            Duration sessionTimeout) {
        this.jdbi = jdbi;
        this.directory = subjects;
        this.subjects = subjects.store();
        this.values = values;
        this.activity = activity;
        this.goals = goals;
        this.policies = policies;
        this.consents = consents;
        this.audit = audit;
        this.clock = clock;
        this.sessionTimeout = sessionTimeout;
    }

    /** The profile with its contact information decrypted; the read is audited. */
    public ProfileView view(Caller caller, String profileId) {
        AccountService.requireScope(caller, Scope.READ);
        String accountId = caller.accountId();
        var custom =
                policies.inForce(accountId).map(v -> v.policy().customFields()).orElse(Map.of());
        return jdbi.inTransaction(h -> {
            Subject subject = subjects.find(h, accountId, profileId)
                    .filter(Subject::identified)
                    .orElseThrow(() -> new NotFoundException("No such profile."));
            List<StoredValue> stored;
            try {
                stored = values.ofSubject(h, accountId, profileId);
            } catch (SubjectKeyDestroyed e) {
                throw new GoneException("This profile's data was erased (its key was destroyed).");
            }
            var traits = new LinkedHashMap<String, FieldValue>();
            var tags = new LinkedHashSet<String>();
            var bySession = new LinkedHashMap<String, Map<String, Sensitive>>();
            for (var v : stored) { // oldest first: the latest value of a field wins
                if (v.field().equals(Tags.FIELD)) tags.add(v.value().value());
                else if (v.field().startsWith("traits.")) {
                    String key = v.field().substring("traits.".length());
                    traits.put(key, FieldValue.of(v.value(), key, custom));
                }
                if ("session_summary".equals(v.recordKind())) {
                    bySession
                            .computeIfAbsent(v.recordId(), s -> new LinkedHashMap<>())
                            .put(v.field().substring(v.field().indexOf('.') + 1), v.value());
                }
            }
            var identifiers = HeldIdentifiers.of(directory, h, accountId, profileId, stored);
            var sessions = activity.sessionsOf(h, accountId, profileId);
            var goalList = goals.list(h, accountId);
            var hits = goals.hitsOf(h, accountId, profileId);
            var visits = visits(sessions, bySession, goalsBySession(goalList, hits));
            var summary = summary(h, accountId, subject, sessions.size());
            var standing = consents.current(h, accountId, profileId);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId, caller.actor(), "profile.read", List.of("profile:" + profileId), Map.of()));
            var engagement = Engagement.of(
                    sessions.stream().map(s -> s.startedAt()).toList(), subject.lastSeenAt(), clock.instant());
            return new ProfileView(
                    profileId,
                    subject.subjectType(),
                    HeldIdentifiers.contact(identifiers),
                    identifiers,
                    traits,
                    tags.stream().map(Sensitive::new).toList(),
                    summary,
                    engagement,
                    Aggregates.interests(stored),
                    Aggregates.goals(goalList, hits),
                    Aggregates.campaigns(stored),
                    visits,
                    standing.purposes(),
                    standing.minor());
        });
    }

    /** The names of the goals achieved in each visit (session id → names). */
    private static Map<String, Set<String>> goalsBySession(List<Goal> goalList, List<GoalHit> hits) {
        var goalNames = new HashMap<String, String>();
        goalList.forEach(g -> goalNames.put(g.goalId(), g.name()));
        var out = new HashMap<String, Set<String>>();
        for (var hit : hits) {
            if (hit.sessionId() != null && goalNames.containsKey(hit.goalId()))
                out.computeIfAbsent(hit.sessionId(), x -> new LinkedHashSet<>()).add(goalNames.get(hit.goalId()));
        }
        return out;
    }

    private List<ProfileView.Visit> visits(
            List<Session> sessions, Map<String, Map<String, Sensitive>> bySession, Map<String, Set<String>> goals) {
        Instant now = clock.instant();
        return sessions.stream()
                .map(s -> new ProfileView.Visit(
                        s.sessionId(),
                        s.startedAt(),
                        s.duration(),
                        s.pageCount(),
                        s.eventCount(),
                        bySession.getOrDefault(s.sessionId(), Map.of()),
                        s.eventTypes(),
                        List.copyOf(goals.getOrDefault(s.sessionId(), Set.of())),
                        s.endedBy(now, sessionTimeout)))
                .toList();
    }

    private ProfileView.Summary summary(Handle h, String accountId, Subject subject, int visits) {
        String profileId = subject.subjectId();
        int events = activity.eventsOf(h, accountId, profileId).size();
        int devices = subjects.countIdentifiers(h, accountId, profileId, IdentifierKind.VISITOR);
        return new ProfileView.Summary(
                subject.firstSeenAt(),
                subject.lastSeenAt(),
                visits,
                events,
                activity.messageCount(h, accountId, profileId),
                devices);
    }
}
