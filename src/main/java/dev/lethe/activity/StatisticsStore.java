package dev.lethe.activity;

import java.time.LocalDate;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Anonymous daily counts. Methods run on the caller's handle. */
public interface StatisticsStore {

    /** Adds each count to what is stored for its day, metric and dimension. */
    void add(Handle h, String accountId, List<DailyCount> counts);

    List<DailyCount> between(Handle h, String accountId, LocalDate from, LocalDate to);
}
