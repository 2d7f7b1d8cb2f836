package dev.lethe.activity;

import java.time.LocalDate;

/**
 * One anonymous count: on {@code day}, how many of {@code metric} (events, sessions by source,
 * sessions by campaign) had this {@code dimension} (an event type, a source host, a campaign).
 */
public record DailyCount(LocalDate day, String metric, String dimension, long count) {}
