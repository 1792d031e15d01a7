package io.zygotehost.master;

import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.HostStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an app's processes and deploys did since the host started, beyond what its live processes
 * report: the last counts of workers that have exited (by version), spawns and exits by cause,
 * deploys by outcome. Touched by the master's thread only.
 *
 * <p>Invariant: a version's traffic (see {@link #traffic}) never drops while the version runs. A
 * worker's counts move here at its exit, in the same turn as it leaves its generation, so the sum of
 * exited and live workers is the same before and after; a Prometheus counter fed from it stays
 * monotonic when workers crash, are recycled or retire in a deploy.
 */
final class AppMetrics {

    static final String ZYGOTE = "zygote";
    static final String WORKER = "worker";

    /** By version: what its exited workers had answered at their last heartbeat. Dropped when the version goes. */
    private final Map<String, Traffic> exited = new HashMap<>();
    private final Map<String, Long> spawns = new TreeMap<>();
    /** By kind of process, then cause. */
    private final Map<String, Map<String, Long>> exits = new TreeMap<>();
    private final Map<String, HostStatus.DeployTotal> deploys = new TreeMap<>();
    private HostStatus.LastDeploy lastDeploy;

    /** Every kind, cause and outcome from zero: a counter that appears at 1 hides its first increase from Prometheus. */
    AppMetrics() {
        for (String kind : List.of(ZYGOTE, WORKER)) {
            spawns.put(kind, 0L);
            Map<String, Long> causes = exits.computeIfAbsent(kind, k -> new TreeMap<>());
            ExitReason.CAUSES.forEach(cause -> causes.put(cause, 0L));
        }
        for (DeployOutcome outcome : DeployOutcome.values()) {
            deploys.put(outcome.label(), new HostStatus.DeployTotal(0, 0));
        }
    }

    /** A zygote or a worker process was started ({@link #ZYGOTE} or {@link #WORKER}). */
    void spawned(String kind) {
        spawns.merge(kind, 1L, Long::sum);
    }

    void zygoteExited(ExitReason reason) {
        exits.computeIfAbsent(ZYGOTE, kind -> new TreeMap<>()).merge(reason.cause(), 1L, Long::sum);
    }

    /** @param last what the worker had answered at its last heartbeat: it joins its version's total */
    void workerExited(String version, Traffic last, ExitReason reason) {
        exits.computeIfAbsent(WORKER, kind -> new TreeMap<>()).merge(reason.cause(), 1L, Long::sum);
        exited.merge(version, last, Traffic::plus);
    }

    /** The last generation of the version is gone: its series end (a later deploy of it counts from zero again). */
    void versionGone(String version) {
        exited.remove(version);
    }

    void deployEnded(Deploy deploy, DeployOutcome outcome, String why, Instant now) {
        double seconds = Duration.between(deploy.started(), now).toMillis() / 1000.0;
        deploys.merge(outcome.label(), new HostStatus.DeployTotal(1, seconds),
                (a, b) -> new HostStatus.DeployTotal(a.count() + b.count(), a.seconds() + b.seconds()));
        lastDeploy = new HostStatus.LastDeploy(deploy.from() == null ? null : deploy.from().release.version(),
                deploy.to().release.version(), outcome.label(), deploy.started(), now,
                outcome == DeployOutcome.DONE ? null : why);
    }

    /** By version, oldest first: the exited workers' counts plus the live workers' last heartbeats. */
    Map<String, Traffic> traffic(List<Generation> generations) {
        Map<String, Traffic> byVersion = new LinkedHashMap<>();
        for (Generation generation : generations) {
            String version = generation.release.version();
            Traffic traffic = byVersion.computeIfAbsent(version, v -> exited.getOrDefault(v, Traffic.NONE));
            for (WorkerProcess worker : generation.workers.values()) {
                traffic = traffic.plus(worker.traffic);
            }
            byVersion.put(version, traffic);
        }
        return byVersion;
    }

    Map<String, Long> spawns() {
        return spawns;
    }

    Map<String, Map<String, Long>> exits() {
        return exits;
    }

    Map<String, HostStatus.DeployTotal> deploys() {
        return deploys;
    }

    HostStatus.LastDeploy lastDeploy() {
        return lastDeploy;
    }
}
