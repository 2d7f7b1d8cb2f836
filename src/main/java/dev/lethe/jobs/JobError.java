package dev.lethe.jobs;

/**
 * One error a job met, never with the value that caused it.
 *
 * @param row the row of the input (1 = the first data row after a header), 0 for the job as a whole
 * @param column the column (its header name), or null when the row as a whole is at fault
 * @param reason why
 */
public record JobError(long row, String column, String reason) {}
