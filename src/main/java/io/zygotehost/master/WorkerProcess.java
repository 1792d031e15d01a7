package io.zygotehost.master;

import io.zygotehost.ipc.Connection;
import io.zygotehost.master.Phases.WorkerPhase;
import java.time.Instant;

/** The master's record of one worker, from the spawn request to its exit. */
final class WorkerProcess {
    final int id;
    final Instant spawnedAt;
    /** 0 until the zygote reports the spawn. */
    int pid;
    WorkerPhase phase = WorkerPhase.SPAWNING;
    /** When it entered its phase. */
    Instant since;
    /** Null until the worker says hello, and again once it has closed. */
    Connection connection;
    Instant readyAt;
    Instant lastHeartbeat;
    long requests;
    int inFlight;
    /** Handlers running past request_timeout, at the last heartbeat. */
    int stuck;
    /** We asked it to drain or stop: its exit is no crash. */
    boolean stopRequested;
    /** What the worker said when its app failed to start, if it did. */
    String failure;
    /** We killed it because it was not ready in time. */
    boolean unready;
    /** Why we killed it, once we did. */
    String killedBecause;

    WorkerProcess(int id, Instant now) {
        this.id = id;
        this.spawnedAt = now;
        this.since = now;
    }

    void enter(WorkerPhase next, Instant now) {
        phase = next;
        since = now;
    }

    PlannerView.WorkerView view() {
        return new PlannerView.WorkerView(id, phase, since, inFlight);
    }
}
