package io.zygotehost.master;

import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.RunAs;
import io.zygotehost.logs.ChildLabel;
import io.zygotehost.logs.ChildOutput;
import io.zygotehost.logs.HostLogs;
import java.io.IOException;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import java.time.Duration;
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
    /** Started as a spare (it may have been activated since). */
    boolean spare;
    /** We asked it to drain or stop: its exit is no crash. */
    boolean stopRequested;
    /** What the worker said when its app failed to start, if it did. */
    String failure;
    /** We killed it because it was not ready in time. */
    boolean unready;
    /** Why we killed it, once we did. */
    String killedBecause;
    /** Its own max_requests: the app's plus a random part of the jitter, so siblings do not retire together. 0 for none. */
    long requestLimit;
    /** Its own max_age, jitter included; set when it becomes ready. Null for none. */
    Duration ageLimit;
    /** At the last memory check; null until measured. */
    ProcessMemory memory;
    /** Its responses by status class and their latencies, at the last heartbeat. */
    Traffic traffic = Traffic.NONE;
    /** Its stdout and stderr on their way to APP.log, and its access log lines (null when off). */
    private ChildOutput output;
    private ChildOutput accessLog;
    private ChildLabel label;

    WorkerProcess(int id, Instant now) {
        this.id = id;
        this.spawnedAt = now;
        this.since = now;
    }

    /** Before its spawn: the pipes it will write to, read into the app's log files. */
    /** @param runAs who the worker runs as ({@code user:}); null: the master's user */
    void openPipes(HostLogs logs, String app, String workerLabel, boolean withAccessLog, RunAs runAs) throws IOException {
        label = new ChildLabel(workerLabel);
        output = logs.processOutput(app, app + "." + id + ".out", label, runAs);
        if (withAccessLog) {
            accessLog = logs.accessLog(app, app + "." + id + ".access", runAs);
        }
    }

    String outputPath() {
        return output.path().toString();
    }

    String accessLogPath() {
        return accessLog == null ? "" : accessLog.path().toString();
    }

    /** Its zygote reported the spawn. */
    void spawned(int pid) {
        this.pid = pid;
        label.pid(pid);
    }

    /** It has exited, or was never spawned: pipes it never opened are not waited for. */
    void pipesGone() {
        for (ChildOutput pipe : new ChildOutput[] {output, accessLog}) {
            if (pipe != null) {
                pipe.writerGone();
            }
        }
    }

    void enter(WorkerPhase next, Instant now) {
        phase = next;
        since = now;
    }

    PlannerView.WorkerView view() {
        Instant retireAt = ageLimit == null || readyAt == null ? null : readyAt.plus(ageLimit);
        return new PlannerView.WorkerView(id, phase, since, inFlight, new PlannerView.Wear(requests, requestLimit,
                retireAt, lastHeartbeat, stuck, memory == null ? 0 : memory.pss()));
    }
}
