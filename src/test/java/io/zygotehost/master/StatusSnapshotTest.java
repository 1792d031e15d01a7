package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.config.ConfigLoader;
import io.zygotehost.config.HostConfig;
import io.zygotehost.ipc.Message;
import io.zygotehost.ipc.MessageCodec;
import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.Phases.ZygotePhase;
import io.zygotehost.master.PlannerView.Role;
import io.zygotehost.metrics.LatencyBuckets;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.status.HostStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The status snapshot, built from the master's own records as they stand mid-deploy. */
class StatusSnapshotTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final long MB = 1024 * 1024;

    private final HostConfig config = config();
    private final AppRuntime hello = new AppRuntime(config.apps().get("hello"));
    private final AppRuntime slow = new AppRuntime(config.apps().get("slow"));

    @Test
    void aDeployUnderWayShowsBothVersionsTheirProcessesAndWhatHoldsTheAppBack() {
        // hello serves v1 (a worker and a spare) while v2's zygote runs its canary after crashes; memory caps it.
        Generation v1 = generation(1, "v1", Role.CURRENT, GenerationPhase.READY);
        v1.zygote = zygote(101, ZygotePhase.READY, new ProcessMemory(80 * MB, 120 * MB));
        WorkerProcess serving = worker(1, 111, WorkerPhase.READY, new ProcessMemory(70 * MB, 100 * MB));
        serving.readyAt = NOW.minusSeconds(300);
        serving.requests = 1234;
        serving.inFlight = 2;
        serving.stuck = 1;
        WorkerProcess spare = worker(2, 112, WorkerPhase.SPARE, null);
        spare.spare = true;
        v1.workers.put(1, serving);
        v1.workers.put(2, spare);
        Generation v2 = generation(2, "v2", Role.INCOMING, GenerationPhase.STARTING);
        v2.zygote = zygote(201, ZygotePhase.STARTING, null);
        v2.crashStreak = 3;
        v2.failure = "zygote exited with status 1";
        hello.generations.addAll(List.of(v1, v2));
        hello.deploy = new Deploy(v1, v2, NOW.minusSeconds(12));
        hello.announcedCap = 1;
        hello.capReason = "memory 300m holds 1 of its 2 workers";
        slow.problem = "path /srv/slow does not exist";
        HostStatus.Reload reload = new HostStatus.Reload(NOW.minusSeconds(60), true, List.of("hello: unchanged (hello@v1)"));

        HostStatus status = StatusSnapshot.of(config, List.of(hello, slow), 42, NOW.minus(Duration.ofHours(2)),
                new ProcessMemory(50 * MB, 60 * MB), reload, NOW);

        assertEquals(42, status.pid());
        assertEquals(1024 * MB, status.memoryLimit());
        assertEquals(new ProcessMemory(150 * MB, 220 * MB), status.memory(), "every measured zygote and worker");
        assertEquals(reload, status.lastReload());
        HostStatus.App app = status.apps().getFirst();
        assertEquals(List.of("hello", "127.0.0.1:8080", 2, 3, 1, 1, 300 * MB),
                List.of(app.name(), app.listen(), app.workers(), app.maxWorkers(), app.spares(), app.cap(), app.memoryBudget()));
        assertEquals("memory 300m holds 1 of its 2 workers", app.capReason());
        assertTrue(app.crashLoop(), "3 died young in a row");
        assertEquals(new HostStatus.Deploy("v1", "v2", NOW.minusSeconds(12)), app.deploy());
        HostStatus.Generation current = app.generations().getFirst();
        assertEquals(List.of(1, "v1", "current", "ready", "0123456789ab"),
                List.of(current.id(), current.version(), current.role(), current.phase(), current.contentHash()));
        assertEquals(new HostStatus.Zygote(101, "ready", NOW.minusSeconds(600), new ProcessMemory(80 * MB, 120 * MB)),
                current.zygote());
        assertEquals(List.of(
                new HostStatus.Worker(1, 111, "ready", false, NOW.minusSeconds(310), NOW.minusSeconds(300), 1234, 2, 1,
                        new ProcessMemory(70 * MB, 100 * MB), Traffic.NONE),
                new HostStatus.Worker(2, 112, "spare", true, NOW.minusSeconds(310), null, 0, 0, 0, null, Traffic.NONE)),
                current.workers());
        HostStatus.Generation incoming = app.generations().get(1);
        assertEquals(List.of("incoming", "starting", 3, "zygote exited with status 1", "starting"),
                List.of(incoming.role(), incoming.phase(), incoming.crashStreak(), incoming.failure(), incoming.zygote().state()));
        HostStatus.App broken = status.apps().get(1);
        assertEquals("path /srv/slow does not exist", broken.problem());
        assertEquals(List.of(), broken.generations());
        assertFalse(broken.crashLoop());
        assertNull(broken.capReason(), "never capped: it runs all its workers");
        assertEquals(2, broken.cap());
    }

    @Test
    void theSnapshotCrossesTheWireWholeInSnakeCase() throws Exception {
        // The CLI decodes what the master encodes; scripts read the same field names.
        Generation v1 = generation(1, "v1", Role.CURRENT, GenerationPhase.READY);
        v1.workers.put(1, worker(1, 111, WorkerPhase.READY, new ProcessMemory(70 * MB, 100 * MB)));
        hello.generations.add(v1);
        HostStatus status = StatusSnapshot.of(config, List.of(hello), 42, NOW, null, null, NOW.plusMillis(1500));

        String line = MessageCodec.encode(new Message.StatusReport(status));

        assertEquals(new Message.StatusReport(status), MessageCodec.decode(line));
        for (String field : List.of("\"taken_at\":\"2026-11-23T12:00:01.500Z\"", "\"memory_limit\"", "\"last_reload\":null",
                "\"max_workers\"", "\"cap_reason\":null", "\"content_hash\"", "\"crash_streak\"", "\"in_flight\"",
                "\"started_at\":\"2026-11-23T11:54:50Z\"", "\"ready_at\":null", "\"memory\":{\"pss\":73400320,\"rss\":104857600}")) {
            assertTrue(line.contains(field), field + " in " + line);
        }
    }

    @Test
    void aWorkersCountsStayInItsVersionsTotalWhenItExits() {
        // Two v1 workers have answered; one is recycled and a fresh one takes its place: v1's counters never drop.
        Generation v1 = generation(1, "v1", Role.CURRENT, GenerationPhase.READY);
        WorkerProcess recycled = worker(1, 111, WorkerPhase.DRAINING, null);
        recycled.traffic = traffic(100, 2, 0);
        WorkerProcess staying = worker(2, 112, WorkerPhase.READY, null);
        staying.traffic = traffic(50, 0, 1);
        v1.workers.put(1, recycled);
        v1.workers.put(2, staying);
        hello.generations.add(v1);
        Traffic before = trafficOf(hello, "v1");
        assertEquals(List.of(150L, 2L, 1L), List.of(before.responses(2), before.responses(4), before.responses(5)));

        // What the master does when the recycled worker's exit is reaped, in one turn:
        v1.workers.remove(1);
        hello.metrics.workerExited("v1", recycled.traffic, new ExitReason.Stopped(new ExitStatus.Exited(0)));
        v1.workers.put(3, worker(3, 113, WorkerPhase.SPAWNING, null));
        assertEquals(before, trafficOf(hello, "v1"), "its counts moved to the version's total: none lost, none twice");

        v1.workers.get(3).traffic = traffic(5, 0, 0);
        staying.traffic = traffic(60, 1, 1);
        Traffic later = trafficOf(hello, "v1");
        assertEquals(List.of(165L, 3L, 1L), List.of(later.responses(2), later.responses(4), later.responses(5)));
        HostStatus.App app = StatusSnapshot.of(config, List.of(hello), 42, NOW, null, null, NOW).apps().getFirst();
        assertEquals(1L, app.exits().get("worker").get("stopped"));
        assertEquals(0L, app.exits().get("worker").get("crashed"), "every cause is there, at 0 until it happens");

        // A second generation of v1 (a new heap, the same version) adds to the same total.
        Generation v1again = generation(2, "v1", Role.INCOMING, GenerationPhase.READY);
        WorkerProcess newer = worker(4, 114, WorkerPhase.READY, null);
        newer.traffic = traffic(7, 0, 0);
        v1again.workers.put(4, newer);
        hello.generations.add(v1again);
        assertEquals(172, trafficOf(hello, "v1").responses(2));

        // The version's last generation gone: its series end, and a later deploy of it counts from zero.
        hello.generations.clear();
        hello.metrics.versionGone("v1");
        hello.generations.add(generation(3, "v1", Role.CURRENT, GenerationPhase.STARTING));
        assertEquals(Traffic.NONE, trafficOf(hello, "v1"));
    }

    @Test
    void deploysAreCountedByOutcomeWithTheirDurations() {
        Generation v1 = generation(1, "v1", Role.CURRENT, GenerationPhase.READY);
        Generation v2 = generation(2, "v2", Role.INCOMING, GenerationPhase.FAILED);
        hello.generations.addAll(List.of(v1, v2));
        hello.metrics.deployEnded(new Deploy(v1, v2, NOW.minusSeconds(12)), DeployOutcome.ABANDONED, "canary failed", NOW);
        hello.metrics.deployEnded(new Deploy(v1, v2, NOW.minusSeconds(3)), DeployOutcome.ABANDONED, "canary failed", NOW);

        HostStatus.App app = StatusSnapshot.of(config, List.of(hello), 42, NOW, null, null, NOW).apps().getFirst();

        assertEquals(new HostStatus.DeployTotal(2, 15.0), app.deploys().get("abandoned"));
        assertEquals(new HostStatus.DeployTotal(0, 0), app.deploys().get("done"));
        assertEquals(List.of("abandoned", "cancelled", "done", "superseded"), List.copyOf(app.deploys().keySet()));
        assertEquals(new HostStatus.LastDeploy("v1", "v2", "abandoned", NOW.minusSeconds(3), NOW, "canary failed"),
                app.lastDeploy());
        assertEquals(List.of("v1", "v2"), List.copyOf(app.traffic().keySet()), "a version per generation, oldest first");
    }

    @Test
    void everyWorkerPhaseIsAStateTheMetricsKnow() {
        assertEquals(HostStatus.Worker.STATES, Arrays.stream(WorkerPhase.values())
                .map(phase -> phase.name().toLowerCase(Locale.ROOT)).toList());
    }

    private Traffic trafficOf(AppRuntime app, String version) {
        return StatusSnapshot.of(config, List.of(app), 42, NOW, null, null, NOW).apps().getFirst().traffic().get(version);
    }

    /** Responses of each class, every one in the first latency bucket. */
    private static Traffic traffic(long ok, long clientErrors, long serverErrors) {
        long[] buckets = new long[LatencyBuckets.COUNT];
        buckets[0] = ok + clientErrors + serverErrors;
        return new Traffic(new long[] {0, ok, 0, clientErrors, serverErrors}, buckets, buckets[0] * 500_000);
    }

    private static HostConfig config() {
        try {
            return ConfigLoader.parse("""
                    host:
                      memory_limit: 1g
                    apps:
                      hello:
                        path: hello
                        class: example.hello.HelloApp
                        listen: 127.0.0.1:8080
                        workers: 2
                        max_workers: 3
                        spares: 1
                        memory: 300m
                      slow:
                        path: slow
                        class: example.slow.SlowApp
                        listen: 127.0.0.1:8081
                    """, Path.of("/srv/conf/apps.yml"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A generation as the master holds it; its spec, key and socket play no part in the status. */
    private static Generation generation(int id, String version, Role role, GenerationPhase phase) {
        Release release = new Release(version, Path.of("/srv/hello", version), List.of(), "0123456789abcdef0123");
        Generation generation = new Generation(id, release, null, null, null, role);
        generation.phase = phase;
        return generation;
    }

    private static ZygoteProcess zygote(int pid, ZygotePhase phase, ProcessMemory memory) {
        ZygoteProcess zygote = new ZygoteProcess(pid, NOW.minusSeconds(600), null);
        zygote.phase = phase;
        zygote.memory = memory;
        return zygote;
    }

    private static WorkerProcess worker(int id, int pid, WorkerPhase phase, ProcessMemory memory) {
        WorkerProcess worker = new WorkerProcess(id, NOW.minusSeconds(310));
        worker.pid = pid;
        worker.phase = phase;
        worker.memory = memory;
        return worker;
    }
}
