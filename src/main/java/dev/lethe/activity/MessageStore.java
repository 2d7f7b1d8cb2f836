package dev.lethe.activity;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Messages and conversations. Methods run on the caller's handle. */
public interface MessageStore {

    void insert(Handle h, String accountId, List<Message> messages);

    List<Message> ofSubject(Handle h, String accountId, String subjectId);

    /**
     * A page of a subject's messages, newest first (time, then id): those sent in [{@code from},
     * {@code to}) (null bounds mean any) that come after {@code after} (null: from the newest), at
     * most {@code limit}.
     */
    List<Message> page(
            Handle h, String accountId, String subjectId, Instant from, Instant to, TimelineCursor after, int limit);

    Optional<Instant> conversationStart(Handle h, String accountId, String conversationKey);

    /**
     * Records a conversation's start and its person, or moves the start earlier when an older
     * message arrives. Returns the start known before (empty for a new conversation).
     */
    Optional<Instant> conversationSeen(
            Handle h, String accountId, String conversationKey, String subjectId, Instant at);

    /** Moves the anchor of rows of these rules in the conversation to its (earlier) start. */
    void reanchorConversation(
            Handle h, String accountId, String conversationKey, Collection<String> ruleKinds, Instant start);
}
