package dev.lethe.profiles;

/** The profile use cases, as the composition root builds them for the API (and tests). */
public record Profiles(
        Identification identification,
        ProfileViews views,
        ProfileLists lists,
        Segments segments,
        Tags tags,
        ProfileMerges merges,
        Shredding shredding,
        Rectification rectification) {}
