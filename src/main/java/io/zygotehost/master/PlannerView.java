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
     * @param stopping    the app is being removed or the host is stopping: drain everything
     * @param generations oldest first; at most one is current
     */
    record AppView(String name, int workers, Duration bootTimeout, Duration gracefulTimeout, boolean stopping,
            List<GenerationView> generations) {}

    /**
     * @param notBefore   no spawn (worker or zygote) before this instant: the crash backoff
     * @param crashStreak consecutive workers or zygotes that died young; while above zero, spawn one at a time
     */
    record GenerationView(int id, boolean current, GenerationPhase phase, Optional<ZygoteView> zygote,
            List<WorkerView> workers, Instant notBefore, int crashStreak) {}

    record ZygoteView(ZygotePhase phase, Instant since) {}

    record WorkerView(int id, WorkerPhase phase, Instant since) {}
}
