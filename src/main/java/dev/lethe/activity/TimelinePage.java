package dev.lethe.activity;

import java.util.List;

/** A page of a person's timeline, newest first, and the cursor of the next page (null at the end). */
public record TimelinePage<T>(List<T> records, String nextCursor) {}
