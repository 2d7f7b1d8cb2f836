package dev.lethe.jobs;

import java.util.List;

/**
 * A page of a job's errors, in row order.
 *
 * @param errors the page's errors
 * @param nextCursor the next page's {@code cursor}; null on the last page
 */
public record JobErrorPage(List<JobError> errors, String nextCursor) {}
