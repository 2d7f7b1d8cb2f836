package dev.lethe.jobs;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.jdbc.DefaultJdbcCustomization;
import com.github.kagkarlsson.scheduler.jdbc.JdbcCustomization;
import com.github.kagkarlsson.scheduler.jdbc.PostgreSqlJdbcCustomization;
import com.github.kagkarlsson.scheduler.logging.LogLevel;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedule;
import dev.lethe.storage.Database;
import dev.lethe.storage.Dialect;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lethe's background jobs: recurring tasks (retention sweeps, the event partitions, later imports
 * and exports) kept in the database, in the table {@code scheduled_tasks}, by db-scheduler. Each
 * recurring task is one row holding its next run; a server takes a due row with a guarded update,
 * so one run of a task happens at a time across every server on the database, and the schedule
 * survives restarts (a task that ran an hour ago on any server does not run again at every start).
 *
 * <p>Register every task with {@link #recurring} before {@link #start}. A run that throws is logged
 * (the task's name and the exception's class and message, which carry no personal value) and the
 * task runs again one interval later. The schedule follows the wall clock (db-scheduler's own); the
 * work reads Lethe's clock as it always does.
 *
 * <p>Threads: {@link Settings#threads} runs, one poller, one for heartbeats; none before {@link
 * #start}. {@link #close} lets a run finish for {@link Settings#shutdownWait}, then interrupts it; a
 * run cut short is taken up again by another server (or this one's next start) once its heartbeat
 * is missed long enough.
 */
public final class Jobs implements AutoCloseable {

    /**
     * How the scheduler runs.
     *
     * @param pollInterval how often each server looks for due tasks: a task runs up to this long
     *     after it is due
     * @param threads how many tasks one server runs at once
     * @param heartbeat how often a running task's server says it is alive; a run whose server was
     *     silent for six heartbeats is considered dead and run again
     * @param shutdownWait how long {@link #close} lets a running task finish before interrupting it
     */
    public record Settings(Duration pollInterval, int threads, Duration heartbeat, Duration shutdownWait) {

        /**
         * Ten-second polls, four tasks at once (imports and exports run for minutes beside the
         * recurring tasks), a heartbeat every ten seconds (a run whose server died is taken up
         * again about a minute later), five seconds to stop.
         */
        public static final Settings DEFAULT =
                new Settings(Duration.ofSeconds(10), 4, Duration.ofSeconds(10), Duration.ofSeconds(5));

        public Settings {
            positive(pollInterval, "pollInterval");
            positive(heartbeat, "heartbeat");
            Objects.requireNonNull(shutdownWait, "shutdownWait");
            if (shutdownWait.isNegative()) throw new IllegalArgumentException("shutdownWait must not be negative");
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        }

        /** The same settings, polling this often (tests poll often so as not to wait). */
        public Settings withPollInterval(Duration interval) {
            return new Settings(interval, threads, heartbeat, shutdownWait);
        }

        /** The same settings, with this many runs at once on one server. */
        public Settings withThreads(int value) {
            return new Settings(pollInterval, value, heartbeat, shutdownWait);
        }

        /** The same settings, with heartbeats this often (a dead server's runs resume after six). */
        public Settings withHeartbeat(Duration value) {
            return new Settings(pollInterval, threads, value, shutdownWait);
        }

        /** How long a run's server may be silent before the run is taken up again elsewhere. */
        public Duration deadAfter() {
            return heartbeat.multipliedBy(MISSED_HEARTBEATS);
        }
    }

    /** The longest task name the table holds (task_name is varchar(100) on H2). */
    static final int MAX_NAME_LENGTH = 100;

    /** How many heartbeats a run's server may miss before the run counts as dead. */
    static final int MISSED_HEARTBEATS = 6;

    private static final Logger log = LoggerFactory.getLogger(Jobs.class);

    private final Database database;
    private final Settings settings;
    private final List<RecurringTask<Void>> tasks = new ArrayList<>();
    private final List<OneTimeTask<Void>> oneTime = new ArrayList<>();
    private Scheduler scheduler;
    private boolean closed;

    /** Jobs on this database; nothing runs (and no thread starts) until {@link #start}. */
    public Jobs(Database database, Settings settings) {
        this.database = Objects.requireNonNull(database, "database");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Registers a task that runs {@code work} every {@code interval}, counted from the end of its
     * previous run (on whichever server ran it). A task new to the database first runs one interval
     * after the start that wrote its row: a start does its own work before serving and is not
     * joined by background runs. Several servers register the same tasks under the same names;
     * changing the interval takes effect after the next run, or at start when the new interval is
     * shorter.
     *
     * @throws IllegalStateException after {@link #start}
     * @throws IllegalArgumentException for a blank, too long or already registered name, or an
     *     interval that is not positive
     */
    public synchronized void recurring(String name, Duration interval, Runnable work) {
        Objects.requireNonNull(work, "work");
        if (scheduler != null || closed) throw new IllegalStateException("register jobs before start: " + name);
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH)
            throw new IllegalArgumentException("a job name is 1.." + MAX_NAME_LENGTH + " characters: " + name);
        if (names().contains(name)) throw new IllegalArgumentException("job already registered: " + name);
        positive(interval, "interval");
        tasks.add(Tasks.recurring(name, new Every(interval)).execute((instance, context) -> run(name, interval, work)));
    }

    /**
     * Registers a task that runs once per {@link #runNow} of an instance: {@code work} gets the
     * instance id. An instance runs on one server at a time; if that server dies during the run
     * (its heartbeats stop for {@link Settings#deadAfter}), another server, or this one restarted,
     * runs the instance again from the start, so {@code work} must resume from what it has
     * recorded. A run that throws is tried again five minutes later (db-scheduler's default for
     * one-time tasks); work that has its own notion of failure records it and returns.
     *
     * @throws IllegalStateException after {@link #start}
     * @throws IllegalArgumentException for a blank, too long or already registered name
     */
    public synchronized void oneTime(String name, Consumer<String> work) {
        Objects.requireNonNull(work, "work");
        if (scheduler != null || closed) throw new IllegalStateException("register jobs before start: " + name);
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH)
            throw new IllegalArgumentException("a job name is 1.." + MAX_NAME_LENGTH + " characters: " + name);
        if (names().contains(name)) throw new IllegalArgumentException("job already registered: " + name);
        oneTime.add(Tasks.oneTime(name).execute((instance, context) -> {
            long started = System.nanoTime();
            try {
                work.accept(instance.getId());
            } catch (RuntimeException | Error e) {
                log.warn(
                        "job failed; it runs again in five minutes {} {} {}",
                        kv("job", name),
                        kv("error", e.getClass().getName()),
                        kv("reason", e.getMessage()));
                throw e;
            }
            log.debug(
                    "job ran {} {}",
                    kv("job", name),
                    kv("ms", Duration.ofNanos(System.nanoTime() - started).toMillis()));
        }));
    }

    /**
     * Asks for a run of the one-time task {@code name} for {@code instanceId} now, unless one is
     * already waiting or running (then nothing changes). Written in its own transaction: call it
     * after the transaction that recorded the work has committed, and look again for recorded
     * work that has no run (a crash between the two) with {@link #runNow} at intervals.
     *
     * @return whether a new run was asked for
     * @throws IllegalStateException before {@link #start} or for a task not registered with {@link #oneTime}
     */
    public boolean runNow(String name, String instanceId) {
        Scheduler s;
        OneTimeTask<Void> task;
        synchronized (this) {
            s = scheduler;
            task = oneTime.stream()
                    .filter(t -> t.getName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no one-time job named " + name));
        }
        if (s == null) throw new IllegalStateException("jobs are not started");
        return s.scheduleIfNotExists(task.instance(instanceId), Instant.now());
    }

    /** How many runs one server makes at once. */
    public int threads() {
        return settings.threads();
    }

    /** The names of the registered tasks, in the order they were registered. */
    public synchronized List<String> names() {
        var names = new ArrayList<String>();
        tasks.forEach(t -> names.add(t.getName()));
        oneTime.forEach(t -> names.add(t.getName()));
        return names;
    }

    /**
     * Writes each registered task's row if the database has none yet, and starts polling. Does
     * nothing the second time.
     */
    public synchronized void start() {
        if (closed) throw new IllegalStateException("jobs are closed");
        if (scheduler != null) return;
        releaseRunsOfDeadProcesses();
        var threads = new AtomicInteger();
        scheduler = Scheduler.create(database.dataSource(), new ArrayList<>(oneTime))
                .startTasks(tasks)
                .enableImmediateExecution()
                .missedHeartbeatsLimit(MISSED_HEARTBEATS)
                .jdbcCustomization(jdbc(database.dialect()))
                .schedulerName(new SchedulerName.Fixed(serverName()))
                .pollingInterval(settings.pollInterval())
                .heartbeatInterval(settings.heartbeat())
                .shutdownMaxWait(settings.shutdownWait())
                .threads(settings.threads())
                .executorService(Executors.newFixedThreadPool(
                        settings.threads(), daemon(() -> "lethe-jobs-" + threads.incrementAndGet())))
                .dueExecutor(Executors.newSingleThreadExecutor(daemon(() -> "lethe-jobs-poll")))
                .housekeeperExecutor(Executors.newScheduledThreadPool(1, daemon(() -> "lethe-jobs-heartbeat")))
                // run() logs a failure itself, without the stack trace db-scheduler would add
                .failureLogging(LogLevel.OFF, false)
                .build();
        scheduler.start();
    }

    /**
     * Gives back the runs that a process of this host which no longer lives (this server before a
     * crash, most often) had picked: they are due again now, instead of after the six missed
     * heartbeats that tell other hosts they are dead. A run picked by a live process (another
     * server on this host) is left alone; so is every run picked on another host.
     */
    private void releaseRunsOfDeadProcesses() {
        String host = serverName();
        String prefix = host.substring(0, host.lastIndexOf('/') + 1);
        long self = ProcessHandle.current().pid();
        database.jdbi().useHandle(h -> {
            var picked = h.createQuery(
                            "select task_name, task_instance, picked_by from scheduled_tasks where picked = true")
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                    .list();
            for (var row : picked) {
                String by = row[2];
                if (by == null || !by.startsWith(prefix)) continue;
                long pid;
                try {
                    pid = Long.parseLong(by.substring(prefix.length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean alive = pid != self
                        && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (alive) continue;
                int released = h.createUpdate("""
                                update scheduled_tasks
                                set picked = false, picked_by = null, last_heartbeat = null, execution_time = :now
                                where task_name = :task and task_instance = :instance and picked = true
                                  and picked_by = :by""")
                        .bind("now", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC))
                        .bind("task", row[0])
                        .bind("instance", row[1])
                        .bind("by", by)
                        .execute();
                if (released > 0)
                    log.info("job run of a process that ended given back {} {}", kv("job", row[0]), kv("process", pid));
            }
        });
    }

    private static void run(String name, Duration interval, Runnable work) {
        long started = System.nanoTime();
        try {
            work.run();
            log.debug(
                    "job ran {} {}",
                    kv("job", name),
                    kv("ms", Duration.ofNanos(System.nanoTime() - started).toMillis()));
        } catch (RuntimeException | Error e) {
            log.warn(
                    "job failed; it runs again after its interval {} {} {} {}",
                    kv("job", name),
                    kv("error", e.getClass().getName()),
                    kv("reason", e.getMessage()),
                    kv("interval", interval.toString()));
            // db-scheduler records the failure (last_failure) and reschedules one interval later
            throw e;
        }
    }

    /**
     * A fixed delay between the end of one run and the start of the next, the first one interval
     * after the task's row is written (db-scheduler's {@code FixedDelay} runs a new task at once).
     * Not deterministic: db-scheduler brings a stored run forward at start when the interval became
     * shorter, and leaves it when it became longer.
     */
    private record Every(Duration interval) implements Schedule {
        @Override
        public Instant getNextExecutionTime(ExecutionComplete complete) {
            return complete.getTimeDone().plus(interval);
        }

        @Override
        public boolean isDeterministic() {
            return false;
        }
    }

    /**
     * db-scheduler's SQL for the engine, named here rather than detected at start: PostgreSQL's, or
     * the standard SQL db-scheduler uses for a database it has no variant for (H2).
     */
    private static JdbcCustomization jdbc(Dialect dialect) {
        return dialect == Dialect.POSTGRESQL
                ? new PostgreSqlJdbcCustomization(false, false)
                : new DefaultJdbcCustomization(false);
    }

    /** Who picked a run, as the table shows it (picked_by, at most 50 characters). */
    private static String serverName() {
        String host = new SchedulerName.Hostname().getName();
        String pid = "/" + ProcessHandle.current().pid();
        return host.substring(0, Math.min(host.length(), 50 - pid.length())) + pid;
    }

    private static ThreadFactory daemon(Supplier<String> names) {
        return r -> {
            var t = new Thread(r, names.get());
            t.setDaemon(true);
            return t;
        };
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be longer than zero");
    }

    /** Stops polling and lets a running task finish for {@link Settings#shutdownWait}. */
    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            scheduler.stop();
            scheduler = null;
        }
    }
}
