package dev.lethe.activity;

import java.time.LocalDate;

/**
 * One anonymous count: on {@code day}, how many of {@code metric} (events, sessions by source,
 * messages by channel or status) had this {@code dimension} (an event type, the kind of a source,
 * a channel, a status).
 */
public record DailyCount(LocalDate day, String metric, String dimension, long count) {}
