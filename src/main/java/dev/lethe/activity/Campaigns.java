package dev.lethe.activity;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * When campaigns ended, by the campaign id messages carry: the clock of the {@code campaign_ended}
 * retention trigger (a campaign's messages kept for a period after the campaign, as the messaging
 * seed keeps them). Set, moved or cleared by an admin; read by the sweeps.
 */
public final class Campaigns {

    /**
     * A campaign id is a name, as event types are: a letter or digit, then letters, digits or
     * {@code _ . : -}, at most 200 characters. It is stored in clear beside each message, so it
     * may not be free text that could hold a person's email.
     */
    static final Pattern ID = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}_.:-]{0,199}");

    /** What a caller is told about an id that is not one. */
    static final String ID_EXPECTED =
            "is a campaign name: a letter or digit, then letters, digits or _ . : - (at most 200 characters)";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;

    public Campaigns(Jdbi jdbi, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * A campaign's end as recorded.
     *
     * @param endedAt null when the campaign has not ended (its messages' campaign rule has not started)
     */
    public record Campaign(String campaignId, Instant endedAt, Instant updatedAt) {}

    /** Records when a campaign ended (null: it has not); the change is audited. */
    public Campaign setEnd(Caller caller, String campaignId, Instant endedAt) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var problem = idProblem(campaignId);
        if (problem.isPresent())
            throw new InvalidInputException(
                    "The campaign id is not valid.", List.of(new FieldError("id", problem.get())));
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            // the row, made if missing: insert-if-absent then update, so two first calls for one
            // campaign at once never collide on its key
            h.createUpdate("""
                            insert into campaigns (account_id, campaign_id, ended_at, updated_at)
                            values (:account, :id, null, :now)
                            on conflict do nothing
                            """)
                    .bind("account", caller.accountId())
                    .bind("id", campaignId)
                    .bind("now", utc(now))
                    .execute();
            h.createUpdate("""
                            update campaigns set ended_at = :ended, updated_at = :now
                            where account_id = :account and campaign_id = :id
                            """)
                    .bind("account", caller.accountId())
                    .bind("id", campaignId)
                    .bind("ended", endedAt == null ? null : utc(endedAt))
                    .bind("now", utc(now))
                    .execute();
            var detail = new HashMap<String, Object>();
            if (endedAt != null) detail.put("endedAt", endedAt.toString());
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            endedAt == null ? "campaign.reopen" : "campaign.end",
                            List.of("campaign:" + campaignId),
                            Map.copyOf(detail)));
            return new Campaign(campaignId, endedAt, now);
        });
    }

    /** A campaign's recorded end (read); 404 for a campaign never recorded. */
    public Campaign campaign(Caller caller, String campaignId) {
        AccountService.requireScope(caller, Scope.READ);
        if (idProblem(campaignId).isPresent()) throw new NotFoundException("No such campaign.");
        return jdbi.withHandle(h -> find(h, caller.accountId(), campaignId))
                .orElseThrow(() -> new NotFoundException("No such campaign."));
    }

    /** A campaign's recorded end, read in the transaction of {@code h} (for the sweeps). */
    public Optional<Campaign> find(Handle h, String accountId, String campaignId) {
        return h.createQuery("select * from campaigns where account_id = :account and campaign_id = :id")
                .bind("account", accountId)
                .bind("id", campaignId)
                .map((rs, ctx) -> new Campaign(
                        rs.getString("campaign_id"),
                        rs.getObject("ended_at") == null ? null : instant(rs, "ended_at"),
                        instant(rs, "updated_at")))
                .findOne();
    }

    /** What is wrong with a campaign id, as messages would refuse it too; empty when nothing. */
    static Optional<String> idProblem(String id) {
        if (id == null || id.isBlank()) return Optional.of("is required");
        return ID.matcher(id).matches() ? Optional.empty() : Optional.of(ID_EXPECTED);
    }
}
