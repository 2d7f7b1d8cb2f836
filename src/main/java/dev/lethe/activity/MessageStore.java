package dev.lethe.activity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Messages and conversations. Methods run on the caller's handle. */
public interface MessageStore {

    void insert(Handle h, String accountId, List<Message> messages);

    List<Message> ofSubject(Handle h, String accountId, String subjectId);

    Optional<Instant> conversationStart(Handle h, String accountId, String conversationKey);

    /** Records a conversation's start, or moves it earlier when an older message arrives. */
    void conversationSeen(Handle h, String accountId, String conversationKey, Instant at);
}
