package dev.lethe.requests;

import java.util.List;

/**
 * A kind of record in an access package, with its columns in order: the JSON objects' keys, the
 * CSV file's header, the text file's labels. {@code single} kinds (the request, the person) are
 * one object in JSON; the others are lists. The shipped JSON Schema
 * ({@code schemas/access-package.json}) describes the same keys.
 */
public record PackageKind(String name, String title, boolean single, List<String> columns) {

    public PackageKind {
        columns = List.copyOf(columns);
    }

    public static final PackageKind REQUEST = new PackageKind(
            "request", "This request", true, List.of("id", "type", "receivedAt", "generatedAt", "format"));
    public static final PackageKind SUBJECT = new PackageKind(
            "subject",
            "The person",
            true,
            List.of("id", "type", "identified", "firstSeenAt", "lastSeenAt", "createdAt"));
    public static final PackageKind IDENTIFIERS = new PackageKind(
            "identifiers",
            "Identifiers the person is found by (devices included); their values are among the values",
            false,
            List.of("kind", "firstCollectedAt", "collectedAt"));
    public static final PackageKind VALUES = new PackageKind(
            "values",
            "Personal values held (profile, traits, tags, custom fields, visit summaries), each with its category",
            false,
            List.of("category", "field", "collectedAt", "recordKind", "recordId", "value"));
    public static final PackageKind SESSIONS =
            new PackageKind("sessions", "Visits", false, List.of("id", "startedAt", "lastEventAt", "events", "pages"));
    public static final PackageKind EVENTS = new PackageKind(
            "events",
            "Events (what the person did), with their values",
            false,
            List.of("id", "type", "occurredAt", "receivedAt", "sessionId", "properties", "context"));
    public static final PackageKind MESSAGES = new PackageKind(
            "messages",
            "Messages sent to or by the person, with content, attachments and traffic data",
            false,
            List.of(
                    "id",
                    "sentAt",
                    "receivedAt",
                    "channel",
                    "product",
                    "api",
                    "direction",
                    "status",
                    "campaignId",
                    "content",
                    "attachments",
                    "traffic"));
    public static final PackageKind GOALS = new PackageKind(
            "goals", "Goals achieved", false, List.of("goalId", "name", "achievedAt", "sessionId", "eventId"));
    public static final PackageKind REQUESTS = new PackageKind(
            "requests",
            "The person's requests, this one included",
            false,
            List.of("id", "type", "status", "outcome", "receivedAt", "dueAt", "closedAt"));
    public static final PackageKind CATEGORIES = new PackageKind(
            "categories",
            "Why each kind of data is held: purpose, lawful basis, source, retention, and who receives it",
            false,
            List.of("category", "title", "purpose", "lawfulBasis", "source", "retention", "recipients"));
    public static final PackageKind ACCESS_LOG = new PackageKind(
            "accessLog",
            "Who read, changed or exported the person's data (key ids and their roles)",
            false,
            List.of("at", "actor", "role", "action"));
}
