package dev.lethe.audit;

import java.util.List;

/** A page of the log and the cursor of the next, null on the last page. */
public record AuditPage(List<AuditEntry> entries, String nextCursor) {}
