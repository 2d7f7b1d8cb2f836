package dev.lethe.profiles;

/** A saved profile filter: a name for criteria that identify no one. */
public record Segment(String segmentId, String name, ProfileCriteria criteria) {}
