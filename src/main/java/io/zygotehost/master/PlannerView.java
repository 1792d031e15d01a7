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
     * @param bootTimeout a worker or canary not ready after this is killed (the app's {@code timeout})
     * @param stopping    the app is being removed or the host is stopping: drain everything
     * @param generations oldest first; at most one is CURRENT and one INCOMING
     */
    record AppView(String name, int workers, int maxWorkers, Duration bootTimeout, Duration gracefulTimeout,
            boolean stopping, List<GenerationView> generations) {}

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
     */
    record GenerationView(int id, Role role, GenerationPhase phase, Optional<ZygoteView> zygote,
            List<WorkerView> workers, Instant notBefore, int crashStreak) {}

    record ZygoteView(ZygotePhase phase, Instant since) {}

    /** @param inFlight requests in its handler at the last heartbeat: the idlest old worker retires first */
    record WorkerView(int id, WorkerPhase phase, Instant since, int inFlight) {}
}
