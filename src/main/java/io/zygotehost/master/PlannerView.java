package io.zygotehost.master;

import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.Phases.ZygotePhase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An immutable snapshot of the host, all the planner decides from. */
final class PlannerView {
    private PlannerView() {}

    /**
     * @param workers     how many workers the app should have serving
     * @param maxWorkers  the cap on the app's worker processes, of every generation and phase, deploys included
     * @param timeout     the app's {@code timeout}: a worker or canary not ready after it, or a worker silent for it, is killed
     * @param stopping    the app is being removed or the host is stopping: drain everything
     * @param generations oldest first; at most one is CURRENT and one INCOMING
     */
    record AppView(String name, int workers, int maxWorkers, Duration timeout, Duration gracefulTimeout,
            boolean stopping, List<GenerationView> generations, Policy policy) {

        /** An app with no spares, memory limits or handler threads to watch: {@link Policy#NONE}. */
        AppView(String name, int workers, int maxWorkers, Duration timeout, Duration gracefulTimeout,
                boolean stopping, List<GenerationView> generations) {
            this(name, workers, maxWorkers, timeout, gracefulTimeout, stopping, generations, Policy.NONE);
        }
    }

    /**
     * How the app's workers are kept beyond their count: spares, memory, stuck handlers. Zero means none.
     *
     * @param threads         handler threads per worker: when every one is stuck past request_timeout, the worker is recycled
     * @param spares          workers kept started but not accepting, per generation that serves or is about to;
     *                        outside {@code max_workers}, inside the memory budgets
     * @param memory          PSS budget of the app's zygotes and workers, in bytes
     * @param maxWorkerMemory a worker whose PSS passes this is recycled
     * @param announcedCap    the workers the memory budget held when the master last said so (-1: never said, all of them):
     *                        the planner asks to announce a different one
     */
    record Policy(int threads, int spares, long memory, long maxWorkerMemory, int announcedCap) {
        static final Policy NONE = new Policy(0, 0, 0, 0, -1);
    }

    /** What a generation is for. */
    enum Role {
        /** The version the app serves; the one kept at full strength. */
        CURRENT,
        /** A deploy's target: it takes over from CURRENT once its canary passed and its workers are ready. */
        INCOMING,
        /** Replaced, removed or abandoned: its workers drain and its zygote stops. */
        OLD
    }

    /**
     * @param notBefore   no spawn (worker or zygote) before this instant: the crash backoff
     * @param crashStreak consecutive workers or zygotes that died young; while above zero, spawn one at a time
     * @param lastActivation when a spare of it was last activated: the next spare waits a little
     */
    record GenerationView(int id, Role role, GenerationPhase phase, Optional<ZygoteView> zygote,
            List<WorkerView> workers, Instant notBefore, int crashStreak, Instant lastActivation) {

        GenerationView(int id, Role role, GenerationPhase phase, Optional<ZygoteView> zygote,
                List<WorkerView> workers, Instant notBefore, int crashStreak) {
            this(id, role, phase, zygote, workers, notBefore, crashStreak, Instant.EPOCH);
        }
    }

    /** @param pss its measured PSS in bytes, 0 until measured */
    record ZygoteView(ZygotePhase phase, Instant since, long pss) {
        ZygoteView(ZygotePhase phase, Instant since) {
            this(phase, since, 0);
        }
    }

    /** @param inFlight requests in its handler at the last heartbeat: the idlest old worker retires first */
    record WorkerView(int id, WorkerPhase phase, Instant since, int inFlight, Wear wear) {
        WorkerView(int id, WorkerPhase phase, Instant since, int inFlight) {
            this(id, phase, since, inFlight, Wear.FRESH);
        }
    }

    /**
     * How worn a worker is, from its heartbeats and the master's memory checks.
     *
     * @param requests     every request it answered, at the last heartbeat
     * @param requestLimit its {@code max_requests} plus its own jitter; 0 for none
     * @param retireAt     when its {@code max_age} plus its own jitter runs out; null for never
     * @param heardAt      its last heartbeat (or when it became ready); null before that
     * @param stuck        handlers running past request_timeout
     * @param pss          its measured PSS in bytes; 0 until measured
     */
    record Wear(long requests, long requestLimit, Instant retireAt, Instant heardAt, int stuck, long pss) {
        static final Wear FRESH = new Wear(0, 0, null, null, 0, 0);
    }
}
