package dev.lethe.audit;

import java.util.List;
import java.util.Map;

/**
 * What happened, as a caller reports it to the log: never a personal value, only ids, names of
 * things and keyed hashes.
 *
 * @param accountId whose chain the entry joins
 * @param actor who did it: an API key id, a user id, or "system"
 * @param source the address the request came from, or null for in-process work
 * @param action a dotted verb, e.g. {@code policy.change}, {@code key.create}
 * @param targets ids of what was acted on, e.g. {@code policy:3}
 * @param outcome {@code ok}, {@code denied} or {@code failed}
 * @param detail small non-personal facts (a version number, a count)
 */
public record AuditEvent(
        String accountId,
        String actor,
        String source,
        String action,
        List<String> targets,
        String outcome,
        Map<String, Object> detail) {

    public AuditEvent {
        targets = List.copyOf(targets);
        detail = Map.copyOf(detail);
    }

    public static AuditEvent ok(
            String accountId, Actor actor, String action, List<String> targets, Map<String, Object> detail) {
        return new AuditEvent(accountId, actor.id(), actor.source(), action, targets, "ok", detail);
    }
}
