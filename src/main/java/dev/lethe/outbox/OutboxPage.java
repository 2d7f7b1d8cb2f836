package dev.lethe.outbox;

import java.util.List;

/**
 * A page of the outbox, newest first.
 *
 * @param messages the page's messages
 * @param nextCursor the next page's {@code cursor}; null on the last page
 */
public record OutboxPage(List<OutboxEntry> messages, String nextCursor) {}
