package io.zygotehost.master;

import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.Phases.ZygotePhase;
import io.zygotehost.master.PlannerView.AppView;
import io.zygotehost.master.PlannerView.GenerationView;
import io.zygotehost.master.PlannerView.Role;
import io.zygotehost.master.PlannerView.WorkerView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The master's decisions, with no I/O: from a snapshot and the time, the few actions that move the
 * observed state toward the desired one. Called every turn of the master loop; it must ask for
 * nothing twice, so everything it asks for shows in the next snapshot (a spawned worker as SPAWNING,
 * a drained one as DRAINING).
 *
 * <p>The rules of a deploy: the INCOMING generation gets workers only once its canary passed; an old
 * worker retires only when a new one is ready to take its place, or, with no headroom under the
 * cap, one idle old worker at a time makes room; the app's worker processes, of every generation
 * and phase, never exceed {@code max_workers} because of a spawn of ours.
 */
final class Planner {

    List<Action> decide(List<AppView> apps, Instant now) {
        List<Action> actions = new ArrayList<>();
        for (AppView app : apps) {
            for (GenerationView generation : app.generations()) {
                enforceTimeouts(app, generation, now, actions);
            }
            if (app.stopping()) {
                app.generations().forEach(g -> retire(app, g, actions));
                continue;
            }
            app.generations().stream().filter(g -> g.role() == Role.OLD).forEach(g -> retire(app, g, actions));
            Optional<GenerationView> current = role(app, Role.CURRENT);
            Optional<GenerationView> incoming = role(app, Role.INCOMING);
            if (incoming.isPresent() && canSpawnWorkers(incoming.get())) {
                rollOver(app, current, incoming.get(), now, actions);
            } else {
                current.ifPresent(g -> serve(app, g, now, actions));
                incoming.ifPresent(g -> startZygoteIfNone(app, g, now, actions));
            }
        }
        return actions;
    }

    /** A worker that never becomes ready, or drains past graceful_timeout, is killed; so is a canary that never ends. */
    private void enforceTimeouts(AppView app, GenerationView generation, Instant now, List<Action> actions) {
        for (WorkerView worker : generation.workers()) {
            if (worker.phase() == WorkerPhase.SPAWNING && overdue(worker.since(), app.bootTimeout(), now)) {
                actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "not ready after " + app.bootTimeout().toSeconds() + "s", true));
            } else if (worker.phase() == WorkerPhase.DRAINING && overdue(worker.since(), app.gracefulTimeout(), now)) {
                actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "still draining after graceful_timeout " + app.gracefulTimeout().toSeconds() + "s", false));
            }
        }
        generation.zygote()
                .filter(z -> z.phase() == ZygotePhase.STARTING && overdue(z.since(), app.bootTimeout(), now))
                .ifPresent(z -> actions.add(new Action.AbandonGeneration(app.name(), generation.id(),
                        "the canary did not finish within " + app.bootTimeout().toSeconds() + "s")));
    }

    /** The app is going away, or this generation is: drain every worker, stop the zygote. */
    private void retire(AppView app, GenerationView generation, List<Action> actions) {
        for (WorkerView worker : generation.workers()) {
            switch (worker.phase()) {
                case READY -> actions.add(new Action.DrainWorker(app.name(), generation.id(), worker.id(), "stopping"));
                case SPAWNING -> actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "stopping before it was ready", false));
                default -> { }
            }
        }
        generation.zygote()
                .filter(z -> z.phase() != ZygotePhase.STOPPING)
                .ifPresent(z -> actions.add(new Action.StopZygote(app.name(), generation.id())));
    }

    /** Keep the current generation at its worker count: a zygote running, workers spawned or drained. */
    private void serve(AppView app, GenerationView generation, Instant now, List<Action> actions) {
        if (!startZygoteIfNone(app, generation, now, actions) || !canSpawnWorkers(generation)) {
            return;
        }
        List<WorkerView> live = live(generation);
        int missing = app.workers() - live.size();
        if (missing > 0) {
            spawn(app, generation, Math.min(missing, headroom(app)), now, actions);
        } else if (missing < 0) {
            surplus(app, generation, live, -missing, actions);
        }
    }

    /**
     * A deploy whose new generation can take workers: new workers start as the cap allows, each new
     * ready worker retires an old one (the idlest first), and with no headroom one idle old worker
     * makes room at a time.
     */
    private void rollOver(AppView app, Optional<GenerationView> current, GenerationView incoming, Instant now,
            List<Action> actions) {
        List<WorkerView> oldServing = current.map(g -> g.workers().stream()
                .filter(w -> w.phase() == WorkerPhase.READY)
                .sorted(Comparator.comparingInt(WorkerView::inFlight).thenComparingInt(WorkerView::id))
                .toList()).orElse(List.of());
        long newReady = incoming.workers().stream().filter(w -> w.phase() == WorkerPhase.READY).count();
        int retired = (int) Math.min(oldServing.size(), Math.max(0, oldServing.size() + newReady - app.workers()));
        for (WorkerView worker : oldServing.subList(0, retired)) {
            actions.add(new Action.DrainWorker(app.name(), current.get().id(), worker.id(), "replaced by generation " + incoming.id()));
        }
        int missing = app.workers() - live(incoming).size();
        if (missing <= 0) {
            return;
        }
        int headroom = headroom(app);
        if (headroom > 0) {
            spawn(app, incoming, Math.min(missing, headroom), now, actions);
            return;
        }
        boolean slotOpening = retired > 0 || current.map(g -> g.workers().stream()
                .anyMatch(w -> w.phase() == WorkerPhase.DRAINING || w.phase() == WorkerPhase.KILLED)).orElse(false);
        // One slot in transition at a time: a new worker still starting, or dying (GONE, KILLED), holds it,
        // and its slot frees when its exit is seen. Draining another old worker then would leave none serving.
        boolean newOneInTransition = incoming.workers().stream().anyMatch(w -> w.phase() != WorkerPhase.READY);
        if (!slotOpening && !newOneInTransition && retired < oldServing.size()) {
            WorkerView idlest = oldServing.get(retired);
            actions.add(new Action.DrainWorker(app.name(), current.get().id(), idlest.id(),
                    "making room under max_workers " + app.maxWorkers() + " for generation " + incoming.id()));
        }
    }

    /** Starts the generation's zygote if it has none; true when it has one. */
    private boolean startZygoteIfNone(AppView app, GenerationView generation, Instant now, List<Action> actions) {
        if (generation.phase() == GenerationPhase.FAILED) {
            return false;
        }
        if (generation.zygote().isEmpty()) {
            if (!now.isBefore(generation.notBefore())) {
                actions.add(new Action.StartZygote(app.name(), generation.id()));
            }
            return false;
        }
        return true;
    }

    private void spawn(AppView app, GenerationView generation, int wanted, Instant now, List<Action> actions) {
        if (wanted <= 0 || now.isBefore(generation.notBefore())) {
            return;
        }
        // While workers die young, try one at a time: a crash loop costs one JVM per backoff step.
        boolean oneAlreadySpawning = generation.workers().stream().anyMatch(w -> w.phase() == WorkerPhase.SPAWNING);
        int spawns = generation.crashStreak() > 0 ? (oneAlreadySpawning ? 0 : 1) : wanted;
        for (int i = 0; i < spawns; i++) {
            actions.add(new Action.SpawnWorker(app.name(), generation.id()));
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
                        ? new Action.KillWorker(app.name(), generation.id(), w.id(), "no longer needed", false)
                        : new Action.DrainWorker(app.name(), generation.id(), w.id(), "no longer needed")));
    }

    private static boolean canSpawnWorkers(GenerationView generation) {
        return generation.phase() == GenerationPhase.READY
                && generation.zygote().map(z -> z.phase() == ZygotePhase.READY).orElse(false);
    }

    /** How many more worker processes the app may have: its cap less every process it has, draining ones included. */
    private static int headroom(AppView app) {
        int processes = app.generations().stream().mapToInt(g -> g.workers().size()).sum();
        return Math.max(app.workers(), app.maxWorkers()) - processes;
    }

    private static List<WorkerView> live(GenerationView generation) {
        return generation.workers().stream().filter(w -> w.phase().isLive()).toList();
    }

    private static Optional<GenerationView> role(AppView app, Role role) {
        return app.generations().stream().filter(g -> g.role() == role).findFirst();
    }

    private static boolean overdue(Instant since, Duration limit, Instant now) {
        return !now.isBefore(since.plus(limit));
    }
}
