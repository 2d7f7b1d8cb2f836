package dev.lethe.profiles;

/** What a merge moved: values (with their keys), events and sessions, identifiers. */
public record Merged(String profileId, String mergedProfileId, int values, int activity, int identifiers) {}
