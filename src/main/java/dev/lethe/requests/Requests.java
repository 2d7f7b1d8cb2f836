package dev.lethe.requests;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.profiles.Rectification;
import dev.lethe.storage.Cursors;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Data-subject requests: received, verified when asked, answered on the legal deadline, every
 * change audited with ids only. A request names its person by any identifier; one Lethe does not
 * know is answered as such (completed, outcome {@code not_found}), not as an error.
 *
 * <p>Locks (docs/locks.md): a change that touches the person locks the subject first, then the
 * request's row.
 */
public final class Requests {

    /** A code sent to verify the requester stays valid this long. */
    public static final Duration CODE_VALIDITY = Duration.ofDays(7);

    /** A request awaiting verification this long since its first code gets one reminder (a new code). */
    public static final Duration REMIND_AFTER = Duration.ofDays(3);

    /** A request awaiting verification this long since its first code is rejected. */
    public static final Duration GIVE_UP_AFTER = Duration.ofDays(30);

    /** The reason a request whose requester never gave the code is rejected with. */
    public static final String NOT_VERIFIED =
            "not verified: the code sent to the person's email was not given within 30 days";

    /** How many requests awaiting verification one round of the reminder job reads at a time. */
    private static final int CHASE_BATCH = 100;

    /** The field under which a person's email address is stored. */
    static final String EMAIL_FIELD = IdentifierKind.EMAIL.field();

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final RequestStore store;
    private final SubjectDirectory subjects;
    private final Keyring keyring;
    private final PersonalValues values;
    private final Rectification rectification;
    private final RequestActions actions;
    private final VerificationCodes codes;
    private final RequestMetrics metrics;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;

    public Requests(
            Jdbi jdbi,
            Transactions transactions,
            RequestStore store,
            SubjectDirectory subjects,
            Keyring keyring,
            PersonalValues values,
            Rectification rectification,
            RequestActions actions,
            VerificationCodes codes,
            RequestMetrics metrics,
            AuditLog audit,
            Ids ids,
            Clock clock) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.store = store;
        this.subjects = subjects;
        this.keyring = keyring;
        this.values = values;
        this.rectification = rectification;
        this.actions = actions;
        this.codes = codes;
        this.metrics = metrics;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    public RequestStore store() {
        return store;
    }

    /** Records a request and, when no verification is asked, starts its work and its clock. */
    public RequestView create(Caller caller, NewRequest in) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Instant now = clock.instant();
        check(in, now);
        String accountId = caller.accountId();
        var view = transactions.inTransaction(h -> {
            Optional<String> found = find(h, accountId, in.identifiedBy(), in.identifier());
            // found by a lookup: a merge or erasure since then starts the transaction over
            var locked = found.map(id -> subjects.lock(h, accountId, List.of(id)));
            boolean erased = found.isPresent()
                    && !keyring.destroyed(h, accountId, List.of(found.get())).isEmpty();
            var r = new DataRequest(
                    ids.next(),
                    in.type(),
                    found.orElse(null),
                    in.identifiedBy(),
                    RequestStatus.RECEIVED,
                    null,
                    in.purposes(),
                    in.receivedAt() == null ? now : in.receivedAt(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    0,
                    null,
                    null,
                    false,
                    null,
                    null,
                    caller.keyId(),
                    now);
            store.insert(h, accountId, r);
            audit(
                    h,
                    caller,
                    "request.receive",
                    r,
                    Map.of("type", r.type().wireName(), "identifiedBy", in.identifiedBy()));
            if (found.isEmpty() || erased) {
                // nothing held on this identifier: that is the answer, given at once
                r = move(h, caller, r, RequestStatus.COMPLETED, found.isEmpty() ? "not_found" : "erased", now);
            } else if (in.verify()) {
                r = sendCode(h, caller, r.moved(RequestStatus.AWAITING_VERIFICATION, null, now), now);
                store.update(h, accountId, r);
                store.verificationStarted(h, accountId, r.requestId(), now);
                audit(h, caller, "request.verification.sent", r, Map.of());
            } else {
                r = start(h, caller, r.clockStarted(r.receivedAt(), now), now);
                if (!in.changes().isEmpty()) {
                    // GDPR Art. 16: corrected now, in the transaction that records the request
                    rectification.rectify(h, caller, locked.orElseThrow(), r.subjectId(), in.changes());
                    r = move(h, caller, r, RequestStatus.COMPLETED, "rectified", now);
                }
            }
            return RequestView.of(r, now);
        });
        metrics.received(view.type());
        metrics.refresh(this::overdueByAccount);
        return view;
    }

    /** The request; reading it is audited. */
    public RequestView get(Caller caller, String requestId) {
        AccountService.requireScope(caller, Scope.READ);
        return jdbi.inTransaction(h -> {
            var r = store.find(h, caller.accountId(), requestId)
                    .orElseThrow(() -> new NotFoundException("No such request."));
            audit(h, caller, "request.read", r, Map.of());
            return RequestView.of(r, clock.instant());
        });
    }

    /** A page of the queue; see {@link RequestQuery}. */
    public RequestView.Page list(Caller caller, RequestQuery query) {
        AccountService.requireScope(caller, Scope.READ);
        Instant now = clock.instant();
        var bound = boundTo(query, now);
        Instant afterReceived = null;
        String afterId = null;
        if (query.cursor() != null) {
            var position = Cursors.open(query.cursor(), bound, 2)
                    .orElseThrow(() -> new BadRequestException(
                            "Bad query parameter.", List.of(new FieldError("cursor", Cursors.PROBLEM))));
            afterReceived = Instant.parse(position.get(0));
            afterId = position.get(1);
        }
        Instant after = afterReceived;
        String afterRequest = afterId;
        return jdbi.inTransaction(h -> {
            var rows = store.page(h, caller.accountId(), query, now, after, afterRequest, query.limit() + 1);
            var page = rows.subList(0, Math.min(rows.size(), query.limit()));
            String next = null;
            if (rows.size() > query.limit()) {
                var last = page.get(page.size() - 1);
                next = Cursors.seal(bound, List.of(last.receivedAt().toString(), last.requestId()));
            }
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "request.list",
                            page.stream().map(r -> "request:" + r.requestId()).toList(),
                            Map.of("requests", page.size())));
            return new RequestView.Page(
                    page.stream().map(r -> RequestView.of(r, now)).toList(), next);
        });
    }

    /** What a cursor is bound to: the account's queue with these filters (the time is not part). */
    private static List<String> boundTo(RequestQuery q, Instant now) {
        var out = new ArrayList<String>();
        out.add("requests");
        out.add(q.status() == null ? null : q.status().wireName());
        out.add(q.type() == null ? null : q.type().wireName());
        out.add(q.overdue() == null ? null : q.overdue().toString());
        out.add(q.dueWithin() == null ? null : q.dueWithin().toString());
        return out;
    }

    /** Rejects an open request, with the account's reason (GDPR Art. 12(4): the person is told why). */
    public RequestView reject(Caller caller, String requestId, String reason) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Instant now = clock.instant();
        var view = change(caller, requestId, (h, r) -> {
            requireOpen(r);
            var rejected = r.rejected(reason, now);
            store.update(h, caller.accountId(), rejected);
            audit(h, caller, "request.reject", rejected, Map.of());
            tellRequester(h, caller, rejected);
            return RequestView.of(rejected, now);
        });
        metrics.closed(view.type(), "rejected");
        metrics.refresh(this::overdueByAccount);
        return view;
    }

    /**
     * Completes a request whose last step is the account's: an erasure (the person is erased, with
     * a receipt), a rectification made through the profile routes, or an objection held for the
     * account's review. Access and portability complete when their package is downloaded.
     */
    public RequestView complete(Caller caller, String requestId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Instant now = clock.instant();
        var current = jdbi.inTransaction(h -> store.find(h, caller.accountId(), requestId))
                .orElseThrow(() -> new NotFoundException("No such request."));
        requireInProgress(current);
        if (current.type().answeredWithPackage()) {
            throw new ConflictException(
                    "An access or portability request is completed by downloading its package: GET /v1/requests/"
                            + requestId + "/package.");
        }
        // an erasure's first step on the person is the erasure itself, which takes the holds that may
        // keep their data before the person (the lock order): the key is destroyed in the
        // transaction that completes the request
        FirstStep first = current.type() == RequestType.ERASURE
                ? (h, subjectId) -> actions.erase(h, caller, subjectId, requestId)
                : lockPerson(caller.accountId());
        var view = change(caller, requestId, first, (h, r, receipt) -> {
            requireInProgress(r);
            String outcome = switch (r.type()) {
                case ERASURE -> "erased";
                case RECTIFICATION -> "rectified";
                case OBJECTION -> "objected";
                case RESTRICTION -> "restricted";
                case ACCESS, PORTABILITY -> "delivered";
            };
            var done = move(h, caller, r, RequestStatus.COMPLETED, outcome, now);
            return RequestView.of(done, now, receipt);
        });
        metrics.refresh(this::overdueByAccount);
        return view;
    }

    /**
     * Extends the deadline once, by one or two further months ({@code months}) or to a date
     * ({@code until}) at most three months after the clock started, with a reason (GDPR Art.
     * 12(3)). Refused when the due date has passed: an extension must be decided, and the person
     * told, within the first month.
     */
    public RequestView extend(Caller caller, String requestId, Integer months, Instant until, String reason) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Instant now = clock.instant();
        return change(caller, requestId, (h, r) -> {
            requireOpen(r);
            if (r.dueAt() == null) {
                throw new ConflictException(
                        "The deadline has not started: the requester's identity is not verified yet.");
            }
            if (r.extendedTo() != null) {
                throw new ConflictException(
                        "This request was extended already (to " + r.extendedTo() + "); the law allows one extension.");
            }
            if (now.isAfter(r.dueAt())) {
                throw new ConflictException("The due date (" + r.dueAt()
                        + ") has passed: an extension must be made before the request is due.");
            }
            Instant latest = Deadlines.latestExtension(r.clockStartedAt());
            Instant to = months != null ? Deadlines.extended(r.clockStartedAt(), months) : until;
            if (!to.isAfter(r.dueAt()) || to.isAfter(latest)) {
                throw new InvalidInputException(
                        "The extension is not valid.",
                        List.of(new FieldError(
                                "until",
                                "must be after the due date " + r.dueAt() + " and at most two further months, until "
                                        + latest)));
            }
            var extended = r.extended(to, reason, now);
            store.update(h, caller.accountId(), extended);
            audit(h, caller, "request.extend", extended, Map.of("dueAt", to.toString()));
            return RequestView.of(extended, now);
        });
    }

    /**
     * Checks a code the requester typed. A right one starts the clock and the request's work; a
     * wrong one costs an attempt; with none left a new code must be sent first.
     */
    public RequestView verify(Caller caller, String requestId, String code) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Instant now = clock.instant();
        var result = change(caller, requestId, (h, r) -> {
            if (r.status() != RequestStatus.AWAITING_VERIFICATION) {
                throw new ConflictException("This request is not awaiting verification (it is "
                        + r.status().wireName() + ").");
            }
            if (r.verificationAttempts() >= VerificationCodes.MAX_ATTEMPTS) {
                throw new ConflictException("No attempts are left for this code: send a new one (POST /v1/requests/"
                        + requestId + "/code).");
            }
            if (now.isAfter(r.verificationExpires())) {
                throw new ConflictException(
                        "The code has expired: send a new one (POST /v1/requests/" + requestId + "/code).");
            }
            if (!VerificationCodes.matches(r.verificationHash(), code)) {
                var failed = r.failedAttempt(now);
                store.update(h, caller.accountId(), failed);
                audit(
                        h,
                        caller,
                        "request.verification.failed",
                        failed,
                        Map.of("attempts", failed.verificationAttempts()));
                return new Verified(false, RequestView.of(failed, now));
            }
            audit(h, caller, "request.verification.passed", r, Map.of());
            store.verified(h, caller.accountId(), r.requestId(), now);
            var started = start(h, caller, r.clockStarted(now, now), now);
            return new Verified(true, RequestView.of(started, now));
        });
        metrics.refresh(this::overdueByAccount);
        if (!result.passed()) {
            throw new InvalidInputException(
                    "The code is not right.",
                    List.of(new FieldError(
                            "code",
                            "is not the code sent; " + result.view().verificationAttemptsLeft() + " attempts left")));
        }
        return result.view();
    }

    private record Verified(boolean passed, RequestView view) {}

    /** Sends a new code (a reminder, or after the attempts ran out); the previous code stops working. */
    public RequestView resendCode(Caller caller, String requestId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Instant now = clock.instant();
        return change(caller, requestId, (h, r) -> {
            if (r.status() != RequestStatus.AWAITING_VERIFICATION) {
                throw new ConflictException("This request is not awaiting verification (it is "
                        + r.status().wireName() + ").");
            }
            var sent = sendCode(h, caller, r, now);
            store.update(h, caller.accountId(), sent);
            audit(h, caller, "request.verification.sent", sent, Map.of());
            return RequestView.of(sent, now);
        });
    }

    /** Lifts a restriction: the person's activity is stored again, and they show in lists again. */
    public RequestView lift(Caller caller, String requestId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        Instant now = clock.instant();
        return change(caller, requestId, (h, r) -> {
            if (r.type() != RequestType.RESTRICTION || !r.restricted()) {
                throw new ConflictException("This request holds no restriction to lift.");
            }
            var lifted = r.restriction(false, now);
            store.update(h, caller.accountId(), lifted);
            audit(h, caller, "request.restriction.lift", lifted, Map.of());
            return RequestView.of(lifted, now);
        });
    }

    /**
     * Which of these subjects are restricted (GDPR Art. 18): their new activity is not stored and
     * they are left out of lists, segments and exports. For the ingest and list paths, in their
     * transaction.
     */
    public Set<String> restrictedAmong(Handle h, String accountId, Collection<String> subjectIds) {
        return store.restrictedAmong(h, accountId, subjectIds);
    }

    /** Per account, its open requests past their due date (the overdue gauge). */
    public Map<String, Long> overdueByAccount() {
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> store.overdueByAccount(h, now));
    }

    /** Refreshes the overdue gauge (a recurring job; each change refreshes it too). */
    public void refreshOverdue() {
        metrics.refresh(this::overdueByAccount);
    }

    /**
     * Completes an access or portability request once its package was written; for the package
     * writer, in its transaction. Later downloads of a completed request change nothing.
     */
    DataRequest delivered(Handle h, Caller caller, DataRequest r) {
        if (r.status() != RequestStatus.IN_PROGRESS) return r;
        return move(h, caller, r, RequestStatus.COMPLETED, "delivered", clock.instant());
    }

    /** The request for a package: of this account, for access or portability, verified and open or delivered. */
    DataRequest forPackage(Handle h, String accountId, String requestId) {
        var r = store.lock(h, accountId, requestId).orElseThrow(() -> new NotFoundException("No such request."));
        if (!r.type().answeredWithPackage()) {
            throw new ConflictException("Only access and portability requests are answered with a package.");
        }
        if (r.subjectId() == null || "erased".equals(r.outcome())) {
            throw new ConflictException("Lethe holds nothing on this request's person: there is no package to give.");
        }
        if (r.status() == RequestStatus.AWAITING_VERIFICATION || r.status() == RequestStatus.RECEIVED) {
            throw new ConflictException("The requester's identity is not verified yet.");
        }
        if (r.status() == RequestStatus.REJECTED) throw new ConflictException("This request was rejected.");
        return r;
    }

    /** The work a request does as soon as it is in progress (and verified, when asked). */
    private DataRequest start(Handle h, Caller caller, DataRequest r, Instant now) {
        var inProgress = r.moved(RequestStatus.IN_PROGRESS, null, now);
        store.update(h, caller.accountId(), inProgress);
        audit(h, caller, "request.start", inProgress, Map.of());
        return switch (r.type()) {
            case RESTRICTION -> {
                // GDPR Art. 18: processing stops at once, until lifted
                var restricted = inProgress.restriction(true, now);
                yield move(h, caller, restricted, RequestStatus.COMPLETED, "restricted", now);
            }
            case OBJECTION -> {
                // GDPR Art. 21: processing for the named purposes stops, as a withdrawal of consent
                actions.withdrawConsent(
                        h,
                        caller.accountId(),
                        r.subjectId(),
                        new LinkedHashSet<>(r.purposes()),
                        "objection:" + r.requestId());
                yield move(h, caller, inProgress, RequestStatus.COMPLETED, "objected", now);
            }
            case ACCESS, PORTABILITY, ERASURE, RECTIFICATION -> inProgress;
        };
    }

    private DataRequest move(
            Handle h, Caller caller, DataRequest r, RequestStatus status, String outcome, Instant now) {
        var moved = r.moved(status, outcome, now);
        store.update(h, caller.accountId(), moved);
        var detail = new LinkedHashMap<String, Object>();
        detail.put("status", status.wireName());
        if (outcome != null) detail.put("outcome", outcome);
        audit(h, caller, "request." + (status == RequestStatus.COMPLETED ? "complete" : "move"), moved, detail);
        if (status == RequestStatus.COMPLETED) {
            var event = new LinkedHashMap<String, Object>();
            event.put("request", moved.requestId());
            event.put("type", moved.type().wireName());
            if (outcome != null) event.put("outcome", outcome);
            actions.announce(h, caller.accountId(), "request.completed", event);
        }
        if (status.isClosed()) {
            metrics.closed(moved.type().wireName(), outcome);
            tellRequester(h, caller, moved);
        }
        return moved;
    }

    /**
     * Tells the requester by email that their request closed (GDPR Art. 12(3)-(4)), when it was
     * verified by email: that address is then known to be the requester's. Not for an erasure: the
     * person's key, which seals their mail, is destroyed in the same transaction, and a
     * confirmation kept under another key would keep their address past their erasure.
     */
    private void tellRequester(Handle h, Caller caller, DataRequest r) {
        if (r.type() == RequestType.ERASURE) return;
        if (store.verifiedAt(h, caller.accountId(), r.requestId()).isEmpty()) return;
        emailOf(h, caller.accountId(), r.subjectId())
                .ifPresent(to -> actions.email(
                        h,
                        caller.accountId(),
                        r.subjectId(),
                        to,
                        "Your request: " + r.status().wireName(),
                        updateText(r),
                        "request-update"));
    }

    /** The text of a request update: what was asked, when, and how it ended (the reason of a rejection). */
    static String updateText(DataRequest r) {
        String asked = "Your " + r.type().wireName() + " request received on "
                + r.receivedAt().atZone(java.time.ZoneOffset.UTC).toLocalDate();
        if (r.status() == RequestStatus.REJECTED) return asked + " was rejected. Reason: " + r.reason();
        String done = switch (r.type()) {
            case ACCESS, PORTABILITY -> "your data was given to the organisation's staff to send to you";
            case RECTIFICATION -> "your data was corrected";
            case RESTRICTION -> "the processing of your data is restricted until you or the organisation lift it";
            case OBJECTION -> "the processing you objected to has stopped";
            case ERASURE -> "your data was erased";
        };
        return asked + " was completed: " + done + ".";
    }

    /**
     * The reminder job: a request awaiting verification for {@link #REMIND_AFTER} gets one new
     * code; one awaiting for {@link #GIVE_UP_AFTER} is rejected as {@link #NOT_VERIFIED}. Each
     * request in its own transaction, under the usual locks.
     *
     * @return how many requests were reminded or rejected
     */
    public int chaseVerifications() {
        Instant now = clock.instant();
        int chased = 0;
        while (true) {
            var batch = jdbi.inTransaction(
                    h -> store.awaitingVerification(h, now.minus(REMIND_AFTER), now.minus(GIVE_UP_AFTER), CHASE_BATCH));
            for (var a : batch) {
                if (chase(a, now)) chased++;
            }
            if (batch.size() < CHASE_BATCH) return chased;
        }
    }

    /** Reminds or rejects one request; whether it did either. */
    private boolean chase(RequestStore.Awaiting a, Instant now) {
        var system = new Caller(a.accountId(), Actor.SYSTEM.id(), Set.of(Scope.ADMIN), null);
        boolean giveUp = a.startedAt().isBefore(now.minus(GIVE_UP_AFTER));
        var chased = change(system, a.requestId(), (h, r) -> {
            // the requester, or another server, may have been faster
            if (r.status() != RequestStatus.AWAITING_VERIFICATION) return Chased.NOTHING;
            if (giveUp) {
                var closed = r.rejected(NOT_VERIFIED, now);
                store.update(h, a.accountId(), closed);
                audit(h, system, "request.reject", closed, Map.of("reason", "not_verified"));
                return new Chased(true, closed);
            }
            store.reminded(h, a.accountId(), r.requestId(), now);
            // a person whose email is gone meanwhile gets no reminder; the request is rejected later
            if (emailOf(h, a.accountId(), r.subjectId()).isPresent()) {
                var sent = sendCode(h, system, r, now);
                store.update(h, a.accountId(), sent);
                audit(h, system, "request.verification.sent", sent, Map.of("reminder", true));
            }
            return new Chased(true, null);
        });
        if (chased.rejected() != null) {
            metrics.closed(chased.rejected().type().wireName(), "rejected");
            metrics.refresh(this::overdueByAccount);
        }
        return chased.acted();
    }

    /** What chasing a request did: whether it acted, and the request when it rejected it. */
    private record Chased(boolean acted, DataRequest rejected) {
        static final Chased NOTHING = new Chased(false, null);
    }

    /** The email address stored for the person: the latest {@code identifiers.email} value. */
    private Optional<Sensitive> emailOf(Handle h, String accountId, String subjectId) {
        return Optional.ofNullable(values.latest(h, accountId, List.of(subjectId), List.of(EMAIL_FIELD))
                .getOrDefault(subjectId, Map.of())
                .get(EMAIL_FIELD));
    }

    private DataRequest sendCode(Handle h, Caller caller, DataRequest r, Instant now) {
        var email = emailOf(h, caller.accountId(), r.subjectId())
                .orElseThrow(() -> new InvalidInputException(
                        "The requester's identity cannot be verified.",
                        List.of(new FieldError("verify", "the person has no email address to send a code to"))));
        String code = codes.next();
        actions.email(
                h,
                caller.accountId(),
                r.subjectId(),
                email,
                "Your request: confirmation code",
                "To confirm your " + r.type().wireName() + " request, give this code: " + code + "\nIt is valid for "
                        + CODE_VALIDITY.toDays() + " days.",
                "verification-code");
        return r.verifying(codes.hash(code), now.plus(CODE_VALIDITY), now);
    }

    /** Locks the person (when known), then the request, and applies a change; 404 for another account's. */
    private <T> T change(Caller caller, String requestId, Change<T> work) {
        return change(caller, requestId, lockPerson(caller.accountId()), (h, r, first) -> work.apply(h, r));
    }

    /**
     * Changes a request in one transaction: {@code first} takes the person's lock (the request
     * names them), then the request's row is locked and handed to {@code work} with what
     * {@code first} answered. A merge that moved the request to its survivor in between starts
     * the transaction over, so the person worked on is always one this transaction holds.
     */
    private <T> T change(Caller caller, String requestId, FirstStep first, ChangeAfter<T> work) {
        String accountId = caller.accountId();
        return transactions.inTransaction(h -> {
            var peek = store.find(h, accountId, requestId).orElseThrow(() -> new NotFoundException("No such request."));
            Object done = peek.subjectId() != null ? first.apply(h, peek.subjectId()) : null;
            var r = store.lock(h, accountId, requestId).orElseThrow(() -> new NotFoundException("No such request."));
            if (!Objects.equals(r.subjectId(), peek.subjectId()))
                throw new Transactions.Retry("the request's person was merged meanwhile");
            return work.apply(h, r, done);
        });
    }

    private FirstStep lockPerson(String accountId) {
        return (h, subjectId) -> {
            subjects.lockNamed(h, accountId, List.of(subjectId));
            return null;
        };
    }

    /** The first step of a change on the request's person: takes their lock; may answer something. */
    @FunctionalInterface
    private interface FirstStep {
        Object apply(Handle h, String subjectId);
    }

    @FunctionalInterface
    private interface ChangeAfter<T> {
        T apply(Handle h, DataRequest r, Object first);
    }

    @FunctionalInterface
    private interface Change<T> {
        T apply(Handle h, DataRequest r);
    }

    private Optional<String> find(Handle h, String accountId, String identifiedBy, Sensitive identifier) {
        if (identifiedBy.equals("profileId")) {
            return Ids.parse(identifier.value().strip())
                    .flatMap(id -> subjects.store().find(h, accountId, id))
                    .map(Subject::subjectId);
        }
        var kind = IdentifierKind.ofWireName(identifiedBy).orElseThrow();
        return kind.normalise(identifier.value())
                .flatMap(n -> subjects.find(h, accountId, kind, subjects.blindIndex(accountId, kind, n)));
    }

    private static void check(NewRequest in, Instant now) {
        var errors = new ArrayList<FieldError>();
        if (in.receivedAt() != null && in.receivedAt().isAfter(now))
            errors.add(new FieldError("receivedAt", "is in the future"));
        if (!in.identifiedBy().equals("profileId")) {
            var kind = IdentifierKind.ofWireName(in.identifiedBy()).orElseThrow();
            if (kind.normalise(in.identifier().value()).isEmpty())
                errors.add(new FieldError("subject." + in.identifiedBy(), kind.problem()));
        }
        if (in.type() == RequestType.OBJECTION && in.purposes().isEmpty())
            errors.add(new FieldError("purposes", "an objection names the purposes it objects to"));
        if (in.type() != RequestType.OBJECTION && !in.purposes().isEmpty())
            errors.add(new FieldError("purposes", "only an objection names purposes"));
        if (in.type() != RequestType.RECTIFICATION && !in.changes().isEmpty())
            errors.add(new FieldError("changes", "only a rectification carries changes"));
        if (in.verify() && !in.changes().isEmpty())
            errors.add(
                    new FieldError(
                            "changes",
                            "changes are not kept while the requester is verified: verify first, then correct the profile (PATCH /v1/profiles/{id})"));
        if (!errors.isEmpty()) throw new InvalidInputException("The request is not valid.", errors);
    }

    private static void requireOpen(DataRequest r) {
        if (r.status().isClosed()) {
            throw new ConflictException("This request is " + r.status().wireName() + " already.");
        }
    }

    private static void requireInProgress(DataRequest r) {
        requireOpen(r);
        if (r.status() != RequestStatus.IN_PROGRESS) {
            throw new ConflictException(
                    "This request is " + r.status().wireName() + ": it must be in progress (verified) first.");
        }
    }

    private void audit(Handle h, Caller caller, String action, DataRequest r, Map<String, Object> detail) {
        var targets = new ArrayList<String>();
        targets.add("request:" + r.requestId());
        if (r.subjectId() != null) targets.add("profile:" + r.subjectId());
        audit.append(h, AuditEvent.ok(caller.accountId(), caller.actor(), action, targets, detail));
    }
}
