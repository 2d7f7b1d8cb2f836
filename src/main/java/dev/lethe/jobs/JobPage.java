package dev.lethe.jobs;

import java.util.List;

/**
 * A page of the account's jobs, newest first.
 *
 * @param jobs the page's jobs
 * @param nextCursor the next page's {@code cursor}; null on the last page
 */
public record JobPage(List<Job> jobs, String nextCursor) {}
