package io.zygotehost.master;

import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.Phases.ZygotePhase;
import io.zygotehost.master.PlannerView.AppView;
import io.zygotehost.master.PlannerView.GenerationView;
import io.zygotehost.master.PlannerView.WorkerView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The master's decisions, with no I/O: from a snapshot and the time, the few actions that move the
 * observed state toward the desired one. Called every turn of the master loop; it must ask for
 * nothing twice, so everything it asks for shows in the next snapshot (a spawned worker as SPAWNING,
 * a drained one as DRAINING).
 *
 * <p>Invariant: the live workers (spawning or ready) of an app's current generation never exceed
 * its {@code workers}; whatever is above is drained.
 */
final class Planner {

    List<Action> decide(List<AppView> apps, Instant now) {
        List<Action> actions = new ArrayList<>();
        for (AppView app : apps) {
            for (GenerationView generation : app.generations()) {
                enforceTimeouts(app, generation, now, actions);
                if (app.stopping() || !generation.current()) {
                    retire(app, generation, actions);
                } else {
                    serve(app, generation, now, actions);
                }
            }
        }
        return actions;
    }

    /** A worker that never becomes ready, or drains past graceful_timeout, is killed. */
    private void enforceTimeouts(AppView app, GenerationView generation, Instant now, List<Action> actions) {
        for (WorkerView worker : generation.workers()) {
            if (worker.phase() == WorkerPhase.SPAWNING && overdue(worker.since(), app.bootTimeout(), now)) {
                actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "not ready after " + app.bootTimeout().toSeconds() + "s"));
            } else if (worker.phase() == WorkerPhase.DRAINING && overdue(worker.since(), app.gracefulTimeout(), now)) {
                actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "still draining after graceful_timeout " + app.gracefulTimeout().toSeconds() + "s"));
            }
        }
        generation.zygote()
                .filter(z -> z.phase() == ZygotePhase.STARTING && overdue(z.since(), app.bootTimeout(), now))
                .ifPresent(z -> actions.add(new Action.AbandonGeneration(app.name(), generation.id(),
                        "the canary did not finish within " + app.bootTimeout().toSeconds() + "s")));
    }

    /** The app is going away (or this generation is no longer current): drain every worker, stop the zygote. */
    private void retire(AppView app, GenerationView generation, List<Action> actions) {
        for (WorkerView worker : generation.workers()) {
            switch (worker.phase()) {
                case READY -> actions.add(new Action.DrainWorker(app.name(), generation.id(), worker.id(), "stopping"));
                case SPAWNING -> actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "stopping before it was ready"));
                default -> { }
            }
        }
        generation.zygote()
                .filter(z -> z.phase() != ZygotePhase.STOPPING)
                .ifPresent(z -> actions.add(new Action.StopZygote(app.name(), generation.id())));
    }

    /** Keep the current generation at its worker count: a zygote running, workers spawned or drained. */
    private void serve(AppView app, GenerationView generation, Instant now, List<Action> actions) {
        if (generation.phase() == GenerationPhase.FAILED) {
            return;
        }
        boolean backingOff = now.isBefore(generation.notBefore());
        if (generation.zygote().isEmpty()) {
            if (!backingOff) {
                actions.add(new Action.StartZygote(app.name(), generation.id()));
            }
            return;
        }
        if (generation.phase() != GenerationPhase.READY || generation.zygote().get().phase() != ZygotePhase.READY) {
            return;
        }
        List<WorkerView> live = generation.workers().stream().filter(w -> w.phase().isLive()).toList();
        int missing = app.workers() - live.size();
        if (missing > 0 && !backingOff) {
            // While workers die young, try one at a time: a crash loop costs one JVM per backoff step.
            boolean crashing = generation.crashStreak() > 0;
            boolean oneAlreadySpawning = live.stream().anyMatch(w -> w.phase() == WorkerPhase.SPAWNING);
            int spawns = crashing ? (oneAlreadySpawning ? 0 : 1) : missing;
            for (int i = 0; i < spawns; i++) {
                actions.add(new Action.SpawnWorker(app.name(), generation.id()));
            }
        } else if (missing < 0) {
            surplus(app, generation, live, -missing, actions);
        }
    }

    /** Fewer workers wanted: drop the ones not serving yet first, then the newest. */
    private void surplus(AppView app, GenerationView generation, List<WorkerView> live, int count, List<Action> actions) {
        live.stream()
                .filter(w -> w.phase() != WorkerPhase.GONE)
                .sorted(Comparator.comparing((WorkerView w) -> w.phase() != WorkerPhase.SPAWNING)
                        .thenComparing(WorkerView::id, Comparator.reverseOrder()))
                .limit(count)
                .forEach(w -> actions.add(w.phase() == WorkerPhase.SPAWNING
                        ? new Action.KillWorker(app.name(), generation.id(), w.id(), "no longer needed")
                        : new Action.DrainWorker(app.name(), generation.id(), w.id(), "no longer needed")));
    }

    private static boolean overdue(Instant since, Duration limit, Instant now) {
        return !now.isBefore(since.plus(limit));
    }
}
