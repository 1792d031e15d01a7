package io.zygotehost.master;

import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.PlannerView.Role;
import io.zygotehost.process.ListenSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** One (app, release, settings) combination: its zygote and its workers. */
final class Generation {
    final int id;
    final Release release;
    final GenerationSpec spec;
    final GenerationKey key;
    /** The socket its zygote and workers inherit; another generation of the app may have another (listen changed). */
    final ListenSocket socket;
    Role role;
    GenerationPhase phase = GenerationPhase.STARTING;
    /** Null when no zygote runs: before the first, and between a zygote's death and its replacement. */
    ZygoteProcess zygote;
    /** By worker id. Holds every worker from spawn request to reaped exit. */
    final Map<Integer, WorkerProcess> workers = new TreeMap<>();
    /** This many processes dying young in a row is a crash loop: logged and shown as one. */
    private static final int CRASH_LOOP = 3;

    /** Consecutive processes that died young; reset by a worker that serves past {@link Backoff#YOUNG}. */
    int crashStreak;
    /** No spawn before this: the crash backoff. */
    Instant notBefore = Instant.EPOCH;
    /** When the master last activated one of its spares. */
    Instant lastActivation = Instant.EPOCH;
    /** Why it failed (or why its last process did), for the log, status and the reload's answer. */
    String failure;
    /** One of its workers never became ready in time: a new version that does this is abandoned. */
    boolean workerUnready;
    /** Run once it has no process left and is forgotten: the end of a deploy that replaced it. */
    final List<Runnable> whenGone = new ArrayList<>();

    Generation(int id, Release release, GenerationSpec spec, GenerationKey key, ListenSocket socket, Role role) {
        this.id = id;
        this.release = release;
        this.spec = spec;
        this.key = key;
        this.socket = socket;
        this.role = role;
    }

    String label() {
        return spec.label();
    }

    /**
     * A process died unasked: one that died young lengthens the backoff; one that had lived a while
     * is replaced at once. A worker that serves past {@link Backoff#YOUNG} clears the streak.
     */
    void recordFailure(Instant startedAt, Instant now) {
        crashStreak = startedAt.plus(Backoff.YOUNG).isAfter(now) ? crashStreak + 1 : 0;
        notBefore = now.plus(Backoff.delay(crashStreak));
    }

    boolean inCrashLoop() {
        return crashStreak >= CRASH_LOOP;
    }

    long readyWorkers() {
        return workers.values().stream().filter(w -> w.phase == Phases.WorkerPhase.READY).count();
    }

    boolean hasProcesses() {
        return zygote != null || !workers.isEmpty();
    }

    PlannerView.GenerationView view() {
        return new PlannerView.GenerationView(id, role, phase, Optional.ofNullable(zygote).map(ZygoteProcess::view),
                workers.values().stream().map(WorkerProcess::view).toList(), notBefore, crashStreak, lastActivation);
    }
}
