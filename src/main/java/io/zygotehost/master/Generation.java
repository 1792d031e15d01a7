package io.zygotehost.master;

import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.master.Phases.GenerationPhase;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** One (app, release, settings) combination: its zygote and its workers. */
final class Generation {
    final int id;
    final Release release;
    final GenerationSpec spec;
    GenerationPhase phase = GenerationPhase.STARTING;
    /** Null when no zygote runs: before the first, and between a zygote's death and its replacement. */
    ZygoteProcess zygote;
    /** By worker id. Holds every worker from spawn request to reaped exit. */
    final Map<Integer, WorkerProcess> workers = new TreeMap<>();
    /** Consecutive processes that died young; reset by one that lives past {@link Backoff#YOUNG}. */
    int crashStreak;
    /** No spawn before this: the crash backoff. */
    Instant notBefore = Instant.EPOCH;
    /** Why it failed, for the log and status. */
    String failure;

    Generation(int id, Release release, GenerationSpec spec) {
        this.id = id;
        this.release = release;
        this.spec = spec;
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

    PlannerView.GenerationView view(boolean current) {
        return new PlannerView.GenerationView(id, current, phase, Optional.ofNullable(zygote).map(ZygoteProcess::view),
                workers.values().stream().map(WorkerProcess::view).toList(), notBefore, crashStreak);
    }
}
