package io.zygotehost.master;

import io.zygotehost.config.HostConfig;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.status.HostStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Turns the master's records into a {@link HostStatus}. Pure: it reads what the master already
 * holds (memory as of the last check, requests and traffic as of each worker's last heartbeat) and does no I/O,
 * so it runs on the master's thread between two turns and the snapshot is consistent.
 */
final class StatusSnapshot {

    private StatusSnapshot() {}

    /**
     * @param master     the master process's own memory; null if unknown
     * @param lastReload null before the first reload
     */
    static HostStatus of(HostConfig config, Collection<AppRuntime> apps, long pid, Instant startedAt,
            ProcessMemory master, HostStatus.Reload lastReload, Instant now) {
        List<ProcessMemory> measured = apps.stream().flatMap(app -> app.generations.stream())
                .flatMap(generation -> Stream.concat(Stream.ofNullable(generation.zygote).map(z -> z.memory),
                        generation.workers.values().stream().map(w -> w.memory)))
                .filter(Objects::nonNull).toList();
        ProcessMemory total = new ProcessMemory(measured.stream().mapToLong(ProcessMemory::pss).sum(),
                measured.stream().mapToLong(ProcessMemory::rss).sum());
        return new HostStatus(now, pid, config.file().toString(), startedAt, config.host().memoryLimit(), total, master,
                apps.stream().map(StatusSnapshot::app).toList(), lastReload);
    }

    private static HostStatus.App app(AppRuntime app) {
        int workers = app.config.workers();
        int cap = app.announcedCap < 0 ? workers : Math.min(app.announcedCap, workers);
        Deploy deploy = app.deploy;
        return new HostStatus.App(app.name, app.config.listen().toString(), workers, app.config.maxWorkers(),
                app.config.spares(), cap, cap < workers ? app.capReason : null, app.config.memory(), app.problem,
                app.generations.stream().anyMatch(Generation::inCrashLoop), app.removed,
                deploy == null ? null : new HostStatus.Deploy(
                        deploy.from() == null ? null : deploy.from().release.version(),
                        deploy.to().release.version(), deploy.started()),
                app.generations.stream().map(StatusSnapshot::generation).toList(),
                app.metrics.traffic(app.generations), app.metrics.spawns(), app.metrics.exits(), app.metrics.deploys(),
                app.metrics.lastDeploy());
    }

    private static HostStatus.Generation generation(Generation generation) {
        ZygoteProcess zygote = generation.zygote;
        return new HostStatus.Generation(generation.id, generation.release.version(), name(generation.role),
                name(generation.phase), generation.release.shortHash(), generation.crashStreak, generation.failure,
                zygote == null ? null : new HostStatus.Zygote(zygote.pid, name(zygote.phase), zygote.startedAt, zygote.memory),
                generation.workers.values().stream().map(StatusSnapshot::worker).toList());
    }

    private static HostStatus.Worker worker(WorkerProcess worker) {
        return new HostStatus.Worker(worker.id, worker.pid, name(worker.phase), worker.spare, worker.spawnedAt,
                worker.readyAt, worker.requests, worker.inFlight, worker.stuck, worker.memory, worker.traffic);
    }

    /** The JSON's state names are the master's own, in lower case: {@code SPARE_STARTING} is {@code spare_starting}. */
    private static String name(Enum<?> state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
