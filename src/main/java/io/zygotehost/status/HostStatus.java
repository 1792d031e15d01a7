package io.zygotehost.status;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the host is doing, as the master saw it at one instant: the one model behind
 * {@code bin/zygote-host status}, its {@code --json} form, and the admin endpoint's page,
 * {@code /status.json} and {@code /metrics}.
 * Built on the master's thread from its own records, so it is consistent; immutable afterwards.
 *
 * <p>Its JSON is a contract with scripts: field names are snake_case and stay; a field is added,
 * never renamed. Sizes are bytes, times ISO-8601 instants (an age is {@link #takenAt} minus a start);
 * a {@code memory} is null until the master has measured that process. The README lists every field.
 *
 * @param pid         the master's
 * @param config      the config file the host runs from
 * @param memoryLimit {@code memory_limit} in bytes; 0 for none
 * @param memory      every zygote and worker of every app together (what {@code memory_limit} caps)
 * @param master      the master process itself; null if it could not be read
 * @param lastReload  null before the first reload
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostStatus(Instant takenAt, long pid, String config, Instant startedAt, long memoryLimit,
        ProcessMemory memory, ProcessMemory master, List<App> apps, Reload lastReload) {

    public HostStatus {
        apps = List.copyOf(apps);
    }

    /**
     * @param workers      how many workers the config asks for
     * @param cap          how many the memory budgets let it run: {@code workers} unless capReason says why not
     * @param memoryBudget the app's {@code memory} in bytes; 0 for none
     * @param problem      why the app does not serve as configured (a version that cannot start, an abandoned deploy); null if none
     * @param crashLoop    one of its generations has had 3 or more processes in a row die young
     * @param removing     removed from the config: draining before it goes
     * @param deploy       the deploy under way; null if none
     * @param generations  oldest first
     * @param traffic      by version, for every version with a generation here (oldest first): what its workers
     *                     answered, those that have exited included, so the counts only grow while the version runs
     * @param spawns       processes started since the host started, by kind: {@code zygote}, {@code worker}
     * @param exits        processes ended since the host started, by kind, then by cause: {@code stopped},
     *                     {@code killed}, {@code failed_to_boot}, {@code crashed}, {@code lost}
     * @param deploys      deploys ended since the host started, by outcome: {@code done}, {@code abandoned},
     *                     {@code cancelled}, {@code superseded}
     * @param lastDeploy   the last deploy that ended; null before the first
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record App(String name, String listen, int workers, int maxWorkers, int spares, int cap, String capReason,
            long memoryBudget, String problem, boolean crashLoop, boolean removing, Deploy deploy,
            List<Generation> generations, Map<String, Traffic> traffic, Map<String, Long> spawns,
            Map<String, Map<String, Long>> exits, Map<String, DeployTotal> deploys, LastDeploy lastDeploy) {

        public App {
            generations = List.copyOf(generations);
            traffic = ordered(traffic);
            spawns = ordered(spawns);
            Map<String, Map<String, Long>> byKind = new LinkedHashMap<>();
            exits.forEach((kind, causes) -> byKind.put(kind, ordered(causes)));
            exits = Collections.unmodifiableMap(byKind);
            deploys = ordered(deploys);
        }
    }

    /** How many deploys ended one way, and their durations added up (from the reload to the last old worker gone). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DeployTotal(long count, double seconds) {}

    /**
     * @param from    the version serving when it began; null when nothing served
     * @param outcome {@code done}, {@code abandoned} (the new version could not start), {@code cancelled} (the
     *                config went back) or {@code superseded} (a newer reload re-targeted it)
     * @param why     why it did not finish; null when done
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LastDeploy(String from, String to, String outcome, Instant startedAt, Instant endedAt, String why) {}

    /** @param from the version serving when it began; null when nothing served */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Deploy(String from, String to, Instant since) {}

    /**
     * One version of an app, with its own zygote and workers.
     *
     * @param id          the master's generation number (zygotes' and workers' hello carries it)
     * @param role        {@code current}, {@code incoming} (a deploy's target) or {@code old} (draining away)
     * @param phase       {@code starting} (canary running), {@code ready} or {@code failed}
     * @param contentHash the first 12 hex digits of the SHA-256 of its jars
     * @param crashStreak processes that died young in a row; 0 once a worker has served a while
     * @param failure     why it failed, or why its last process did; null if nothing did
     * @param zygote      null while none runs (before the first, or between a crash and the replacement)
     * @param workers     by id
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Generation(int id, String version, String role, String phase, String contentHash, int crashStreak,
            String failure, Zygote zygote, List<Worker> workers) {

        public Generation {
            workers = List.copyOf(workers);
        }
    }

    /** @param state {@code starting}, {@code ready} or {@code stopping} */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Zygote(int pid, String state, Instant startedAt, ProcessMemory memory) {}

    /**
     * @param pid       0 until its zygote has reported the spawn
     * @param state     {@code spawning}, {@code spare_starting}, {@code spare} (built, not accepting),
     *                  {@code ready}, {@code draining}, {@code hung} (heartbeat silent: SIGQUIT sent),
     *                  {@code killed} or {@code gone} (exiting unasked)
     * @param spare     started as a spare (it may have been activated since)
     * @param startedAt when the master asked for it
     * @param readyAt   when it began accepting; null before
     * @param requests  every request it answered or refused, at its last heartbeat
     * @param inFlight  requests in a handler at its last heartbeat
     * @param stuck     handlers running past {@code request_timeout}
     * @param traffic   its responses by status class and their latencies, at its last heartbeat
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Worker(int id, int pid, String state, boolean spare, Instant startedAt, Instant readyAt, long requests,
            int inFlight, int stuck, ProcessMemory memory, Traffic traffic) {

        /** Every {@link #state}, in the order of a worker's life. */
        public static final List<String> STATES =
                List.of("spawning", "spare_starting", "spare", "ready", "draining", "hung", "killed", "gone");
    }

    /**
     * The outcome of the last reload ({@code bin/zygote-host reload} or SIGHUP).
     *
     * @param at    when it ended (every deploy it started done or abandoned)
     * @param lines one per app, as {@code reload} printed them
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Reload(Instant at, boolean ok, List<String> lines) {

        public Reload {
            lines = List.copyOf(lines);
        }
    }

    /** An unmodifiable copy that keeps the order (versions oldest first, causes sorted): the JSON's order. */
    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
