package io.zygotehost.master;

import io.zygotehost.config.Sizes;
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

    /** A hung worker gets this long between SIGQUIT and SIGKILL to print its thread dump. */
    static final Duration DUMP_GRACE = Duration.ofSeconds(2);
    /** After a spare's activation, its successor starts this much later (see keepSpares). */
    static final Duration SPARE_REFILL_DELAY = Duration.ofSeconds(3);

    List<Action> decide(List<AppView> apps, Instant now) {
        return decide(apps, 0, now);
    }

    /** @param memoryLimit the host's memory_limit in bytes, 0 for none */
    List<Action> decide(List<AppView> apps, long memoryLimit, Instant now) {
        MemoryBudget memory = new MemoryBudget(memoryLimit, apps);
        List<Action> actions = new ArrayList<>();
        Optional<Action> hostRelief = relieveHost(apps, memory);
        hostRelief.ifPresent(actions::add);
        for (AppView app : apps) {
            if (hostRelief.isPresent() && hostRelief.get().app().equals(app.name())) {
                continue;
            }
            // Something wrong with a process comes first; the rest of the app waits for the next turn,
            // which sees the repair's effect (a worker draining, killed), so nothing is asked twice.
            List<Action> repairs = repairs(app, memory, now);
            if (!repairs.isEmpty()) {
                actions.addAll(repairs);
                continue;
            }
            if (app.stopping()) {
                app.generations().forEach(g -> retire(app, g, actions));
                continue;
            }
            app.generations().stream().filter(g -> g.role() == Role.OLD).forEach(g -> retire(app, g, actions));
            Optional<GenerationView> current = role(app, Role.CURRENT);
            Optional<GenerationView> incoming = role(app, Role.INCOMING);
            if (incoming.isPresent() && canSpawnWorkers(incoming.get())) {
                rollOver(app, current, incoming.get(), memory, now, actions);
            } else {
                current.ifPresent(g -> serve(app, g, memory, now, actions));
                incoming.ifPresent(g -> startZygoteIfNone(app, g, now, actions));
            }
        }
        return actions;
    }

    /**
     * Timeouts, hung workers, and workers that must go now whatever else happens: over
     * max_worker_memory (they grow while they serve), every handler thread stuck (they only time
     * out), or the app over its memory budget (its largest worker, one at a time).
     */
    private List<Action> repairs(AppView app, MemoryBudget memory, Instant now) {
        List<Action> repairs = new ArrayList<>();
        for (GenerationView generation : app.generations()) {
            enforceTimeouts(app, generation, now, repairs);
            if (app.stopping()) {
                continue;
            }
            for (WorkerView worker : generation.workers()) {
                if (worker.phase() == WorkerPhase.READY) {
                    mustGoNow(app, worker).ifPresent(why -> repairs.add(
                            new Action.DrainWorker(app.name(), generation.id(), worker.id(), "recycled: " + why)));
                }
            }
        }
        if (repairs.isEmpty() && !app.stopping() && !anyLeaving(app)) {
            memory.overAppBudget(app).ifPresent(why -> largestReady(app).ifPresent(largest -> repairs.add(
                    new Action.DrainWorker(app.name(), largest.generation(), largest.worker().id(),
                            "recycled, the largest worker: " + why))));
        }
        return repairs;
    }

    /** The host over memory_limit: its largest worker is recycled, one at a time. */
    private Optional<Action> relieveHost(List<AppView> apps, MemoryBudget memory) {
        Optional<String> over = memory.overHostLimit();
        if (over.isEmpty() || apps.stream().anyMatch(Planner::anyLeaving)) {
            return Optional.empty();
        }
        record Candidate(AppView app, Located located) {}
        return apps.stream().filter(a -> !a.stopping())
                .flatMap(a -> largestReady(a).map(l -> new Candidate(a, l)).stream())
                .max(Comparator.comparingLong(c -> c.located().worker().wear().pss()))
                .map(c -> new Action.DrainWorker(c.app().name(), c.located().generation(), c.located().worker().id(),
                        "recycled, the host's largest worker: " + over.get()));
    }

    /**
     * A worker that never becomes ready, or drains past graceful_timeout, is killed; one whose
     * heartbeat stopped gets SIGQUIT, then SIGKILL; a canary that never ends abandons its generation.
     */
    private void enforceTimeouts(AppView app, GenerationView generation, Instant now, List<Action> actions) {
        for (WorkerView worker : generation.workers()) {
            if (worker.phase().isStarting() && overdue(worker.since(), app.timeout(), now)) {
                actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "not ready after " + app.timeout().toSeconds() + "s", true));
            } else if (silent(worker, app.timeout(), now)) {
                actions.add(new Action.QuitWorker(app.name(), generation.id(), worker.id(),
                        "no heartbeat for " + app.timeout().toSeconds() + "s (timeout): hung"));
            } else if (worker.phase() == WorkerPhase.DRAINING && overdue(worker.since(), app.gracefulTimeout(), now)) {
                actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "still draining after graceful_timeout " + app.gracefulTimeout().toSeconds() + "s", false));
            } else if (worker.phase() == WorkerPhase.HUNG && overdue(worker.since(), DUMP_GRACE, now)) {
                actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "hung: no heartbeat for " + app.timeout().toSeconds() + "s (timeout); its threads are in the app's log",
                        false));
            }
        }
        generation.zygote()
                .filter(z -> z.phase() == ZygotePhase.STARTING && overdue(z.since(), app.timeout(), now))
                .ifPresent(z -> actions.add(new Action.AbandonGeneration(app.name(), generation.id(),
                        "the canary did not finish within " + app.timeout().toSeconds() + "s")));
    }

    /**
     * The app is going away, or this generation is: drain every worker, then stop the zygote. Its workers are its
     * children and it reports their exits: a zygote stopped beside them exits first (a worker drains in tens of
     * milliseconds), and the master would never learn how they ended.
     */
    private void retire(AppView app, GenerationView generation, List<Action> actions) {
        for (WorkerView worker : generation.workers()) {
            switch (worker.phase()) {
                case READY, SPARE -> actions.add(new Action.DrainWorker(app.name(), generation.id(), worker.id(), "stopping"));
                case SPAWNING, SPARE_STARTING -> actions.add(new Action.KillWorker(app.name(), generation.id(), worker.id(),
                        "stopping before it was ready", false));
                default -> { }
            }
        }
        if (!generation.workers().isEmpty()) {
            return; // the zygote stops in the turn after its last worker's exit is known
        }
        generation.zygote()
                .filter(z -> z.phase() != ZygotePhase.STOPPING)
                .ifPresent(z -> actions.add(new Action.StopZygote(app.name(), generation.id())));
    }

    /**
     * Keep the current generation at its worker count (fewer if memory holds fewer): a zygote
     * running, workers spawned or drained, worn-out workers replaced a few at a time, each by a new
     * one that is ready before it drains.
     */
    private void serve(AppView app, GenerationView generation, MemoryBudget memory, Instant now, List<Action> actions) {
        if (!startZygoteIfNone(app, generation, now, actions) || !canSpawnWorkers(generation)) {
            return;
        }
        MemoryBudget.Cap cap = memory.cap(app, generation);
        announce(app, generation, cap, actions);
        int wanted = cap.workers();
        List<WorkerView> live = live(generation);
        List<WorkerView> recycling = wornOut(app, generation, now);
        int headroom = headroom(app, generation, memory);
        int missing = wanted + recycling.size() - live.size();
        // The memory cap only holds spawns back; workers go only for being over budget by measurement
        // (repairs), so sizes wavering around a boundary never stop and start workers.
        int surplus = live.size() - recycling.size() - app.workers();
        if (missing > 0) {
            spawn(app, generation, Math.min(missing, headroom), memory, now, actions);
        } else if (surplus > 0) {
            surplus(app, generation, live.stream().filter(w -> !recycling.contains(w)).toList(), surplus, actions);
        }
        keepSpares(app, generation, memory, now, actions);
        long ready = generation.workers().stream().filter(w -> w.phase() == WorkerPhase.READY).count();
        boolean replacementComing = generation.workers().stream().anyMatch(w -> w.phase() == WorkerPhase.SPAWNING);
        for (WorkerView worn : recycling) {
            String why = "recycled: " + wornOutBecause(worn, now).orElseThrow();
            if (ready - 1 >= wanted) {
                actions.add(new Action.DrainWorker(app.name(), generation.id(), worn.id(), why));
                ready--;
            } else if (headroom <= 0 && !replacementComing) {
                // No room to start the replacement first: this one makes room, as in a deploy without headroom.
                actions.add(new Action.DrainWorker(app.name(), generation.id(), worn.id(),
                        why + "; no room under " + limitingFactor(app) + " to start its replacement first"));
                return;
            }
        }
    }

    /**
     * The ready workers past max_requests or max_age that may be replaced now, oldest first: a
     * few at a time, counting those still on their way out, so that workers started together are
     * never all recycled together.
     */
    private static List<WorkerView> wornOut(AppView app, GenerationView generation, Instant now) {
        long leaving = generation.workers().stream().filter(w -> isLeaving(w.phase())).count();
        long slots = Math.max(0, recyclingAtOnce(app) - leaving);
        return generation.workers().stream()
                .filter(w -> w.phase() == WorkerPhase.READY && wornOutBecause(w, now).isPresent())
                .limit(slots)
                .toList();
    }

    /** At most a quarter of an app's workers recycle at once, and always at least one. */
    static int recyclingAtOnce(AppView app) {
        return Math.max(1, app.workers() / 4);
    }

    private static Optional<String> wornOutBecause(WorkerView worker, Instant now) {
        PlannerView.Wear wear = worker.wear();
        if (wear.requestLimit() > 0 && wear.requests() >= wear.requestLimit()) {
            return Optional.of("served " + wear.requests() + " requests (max_requests, with jitter: " + wear.requestLimit() + ")");
        }
        if (wear.retireAt() != null && !now.isBefore(wear.retireAt())) {
            return Optional.of("reached its max_age (with jitter)");
        }
        return Optional.empty();
    }

    /** Reasons that cannot wait for a replacement: the worker grows, or cannot answer, while it serves. */
    private static Optional<String> mustGoNow(AppView app, WorkerView worker) {
        PlannerView.Wear wear = worker.wear();
        long maxMemory = app.policy().maxWorkerMemory();
        if (maxMemory > 0 && wear.pss() > maxMemory) {
            return Optional.of("PSS " + Sizes.format(wear.pss()) + " over max_worker_memory " + Sizes.format(maxMemory));
        }
        int threads = app.policy().threads();
        if (threads > 0 && wear.stuck() >= threads) {
            return Optional.of("all " + threads + " handler threads are stuck past request_timeout");
        }
        return Optional.empty();
    }

    /** The memory cap changed since the master last said: say so, with why. */
    private static void announce(AppView app, GenerationView generation, MemoryBudget.Cap cap, List<Action> actions) {
        int announced = app.policy().announcedCap() < 0 ? app.workers() : app.policy().announcedCap();
        if (cap.workers() != announced) {
            String why = cap.workers() < app.workers() ? cap.why() : "memory holds all " + app.workers() + " workers";
            actions.add(new Action.AnnounceCap(app.name(), generation.id(), cap.workers(), why));
        }
    }

    /**
     * A deploy whose new generation can take workers: new workers start as the cap allows, each new
     * ready worker retires an old one (the idlest first), and with no headroom one idle old worker
     * makes room at a time.
     */
    private void rollOver(AppView app, Optional<GenerationView> current, GenerationView incoming, MemoryBudget memory,
            Instant now, List<Action> actions) {
        // The version on its way out will need no spare: its spares make room (and memory) for the new one's.
        current.ifPresent(g -> g.workers().stream().filter(w -> w.phase().isSpare()).forEach(spare -> actions.add(
                spare.phase() == WorkerPhase.SPARE
                        ? new Action.DrainWorker(app.name(), g.id(), spare.id(), "a spare of the version being replaced")
                        : new Action.KillWorker(app.name(), g.id(), spare.id(), "a spare of the version being replaced", false))));
        replaceWorkers(app, current, incoming, memory, now, actions);
        keepSpares(app, incoming, memory, now, actions);
    }

    private void replaceWorkers(AppView app, Optional<GenerationView> current, GenerationView incoming,
            MemoryBudget memory, Instant now, List<Action> actions) {
        int wanted = memory.cap(app, incoming).workers();
        List<WorkerView> oldServing = current.map(g -> g.workers().stream()
                .filter(w -> w.phase() == WorkerPhase.READY)
                .sorted(Comparator.comparingInt(WorkerView::inFlight).thenComparingInt(WorkerView::id))
                .toList()).orElse(List.of());
        long newReady = incoming.workers().stream().filter(w -> w.phase() == WorkerPhase.READY).count();
        int retired = (int) Math.min(oldServing.size(), Math.max(0, oldServing.size() + newReady - wanted));
        for (WorkerView worker : oldServing.subList(0, retired)) {
            actions.add(new Action.DrainWorker(app.name(), current.get().id(), worker.id(), "replaced by generation " + incoming.id()));
        }
        int missing = wanted - live(incoming).size();
        if (missing <= 0) {
            return;
        }
        int headroom = headroom(app, incoming, memory);
        if (headroom > 0) {
            spawn(app, incoming, Math.min(missing, headroom), memory, now, actions);
            return;
        }
        boolean slotOpening = retired > 0 || current.map(g -> g.workers().stream()
                .anyMatch(w -> w.phase() == WorkerPhase.DRAINING || w.phase() == WorkerPhase.KILLED)).orElse(false);
        // One slot in transition at a time: a new worker still starting, or dying (GONE, KILLED), holds it,
        // and its slot frees when its exit is seen. Draining another old worker then would leave none serving.
        boolean newOneInTransition = incoming.workers().stream()
                .anyMatch(w -> w.phase() != WorkerPhase.READY && !w.phase().isSpare());
        if (!slotOpening && !newOneInTransition && retired < oldServing.size()) {
            WorkerView idlest = oldServing.get(retired);
            actions.add(new Action.DrainWorker(app.name(), current.get().id(), idlest.id(),
                    "making room under " + limitingFactor(app) + " for generation " + incoming.id()));
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

    private void spawn(AppView app, GenerationView generation, int wanted, MemoryBudget memory, Instant now,
            List<Action> actions) {
        if (wanted <= 0 || now.isBefore(generation.notBefore())) {
            return;
        }
        // A spare, built and warm, serves in milliseconds: the first choice. Already counted in memory.
        List<WorkerView> spares = generation.workers().stream().filter(w -> w.phase() == WorkerPhase.SPARE).limit(wanted).toList();
        spares.forEach(spare -> actions.add(new Action.ActivateWorker(app.name(), generation.id(), spare.id())));
        // A spare still starting is activated once built, sooner than a JVM started now would be ready.
        long sparesComing = generation.workers().stream().filter(w -> w.phase() == WorkerPhase.SPARE_STARTING).count();
        wanted = (int) Math.max(0, wanted - spares.size() - sparesComing);
        // While workers die young, try one at a time: a crash loop costs one JVM per backoff step.
        boolean oneAlreadySpawning = generation.workers().stream().anyMatch(w -> w.phase().isStarting());
        int spawns = generation.crashStreak() > 0 ? (oneAlreadySpawning || !spares.isEmpty() ? 0 : 1) : wanted;
        memory.spawning(app, generation, spawns);
        for (int i = 0; i < spawns; i++) {
            actions.add(new Action.SpawnWorker(app.name(), generation.id()));
        }
    }

    /**
     * Keeps the generation's {@code spares} started, as memory allows; an activated one is replaced
     * in the next turn (this turn still sees it as a spare). Not while workers die young: a spare
     * would die the same way.
     */
    private void keepSpares(AppView app, GenerationView generation, MemoryBudget memory, Instant now,
            List<Action> actions) {
        long kept = generation.workers().stream().filter(w -> w.phase().isSpare()).count();
        int missing = (int) Math.min(app.policy().spares() - kept, memory.headroom(app, generation));
        // Workers first: a spare starting beside them would slow their start, the cores being shared; and
        // a just-activated spare serves its first requests before its successor's JVM start takes the cores.
        boolean workersStarting = generation.workers().stream().anyMatch(w -> w.phase() == WorkerPhase.SPAWNING)
                || actions.stream().anyMatch(a -> a instanceof Action.SpawnWorker spawn && !spawn.spare()
                        && spawn.app().equals(app.name()) && spawn.generation() == generation.id());
        boolean justActivated = now.isBefore(generation.lastActivation().plus(SPARE_REFILL_DELAY));
        if (missing <= 0 || workersStarting || justActivated || now.isBefore(generation.notBefore())
                || generation.crashStreak() > 0) {
            return;
        }
        memory.spawning(app, generation, missing);
        for (int i = 0; i < missing; i++) {
            actions.add(new Action.SpawnWorker(app.name(), generation.id(), true));
        }
    }

    /** Fewer workers wanted: drop the ones not serving yet first, then the newest. */
    private void surplus(AppView app, GenerationView generation, List<WorkerView> live, int count, List<Action> actions) {
        String why = "no longer needed";
        live.stream()
                .filter(w -> w.phase() != WorkerPhase.GONE)
                .sorted(Comparator.comparing((WorkerView w) -> w.phase() != WorkerPhase.SPAWNING)
                        .thenComparing(WorkerView::id, Comparator.reverseOrder()))
                .limit(count)
                .forEach(w -> actions.add(w.phase() == WorkerPhase.SPAWNING
                        ? new Action.KillWorker(app.name(), generation.id(), w.id(), why, false)
                        : new Action.DrainWorker(app.name(), generation.id(), w.id(), why)));
    }

    private static boolean canSpawnWorkers(GenerationView generation) {
        return generation.phase() == GenerationPhase.READY
                && generation.zygote().map(z -> z.phase() == ZygotePhase.READY).orElse(false);
    }

    /**
     * How many more workers the generation may start now: the cap less every worker process the
     * app has, draining ones included; of those, spares are already in memory, the others must fit.
     */
    private static int headroom(AppView app, GenerationView generation, MemoryBudget memory) {
        long spares = generation.workers().stream().filter(w -> w.phase() == WorkerPhase.SPARE).count();
        return (int) Math.min(processHeadroom(app), spares + memory.headroom(app, generation));
    }

    /** What max_workers alone allows, for saying which limit holds a spawn back. */
    private static int processHeadroom(AppView app) {
        long processes = app.generations().stream().flatMap(g -> g.workers().stream()).filter(w -> !w.phase().isSpare()).count();
        return Math.max(app.workers(), app.maxWorkers()) - (int) processes;
    }

    private static String limitingFactor(AppView app) {
        return processHeadroom(app) > 0 ? "the memory budget" : "max_workers " + app.maxWorkers();
    }

    /** Its heartbeat stopped while it served or drained. */
    private static boolean silent(WorkerView worker, Duration timeout, Instant now) {
        boolean beats = worker.phase() == WorkerPhase.READY || worker.phase() == WorkerPhase.DRAINING
                || worker.phase() == WorkerPhase.SPARE;
        return beats && worker.wear().heardAt() != null && overdue(worker.wear().heardAt(), timeout, now);
    }

    /** On its way out, holding a slot: the app's memory is about to shrink, and a recycle is under way. */
    private static boolean isLeaving(WorkerPhase phase) {
        return phase == WorkerPhase.DRAINING || phase == WorkerPhase.HUNG || phase == WorkerPhase.KILLED;
    }

    private static boolean anyLeaving(AppView app) {
        return app.generations().stream().flatMap(g -> g.workers().stream()).anyMatch(w -> isLeaving(w.phase()));
    }

    /** A worker and the generation it belongs to. */
    private record Located(int generation, WorkerView worker) {}

    private static Optional<Located> largestReady(AppView app) {
        return app.generations().stream()
                .flatMap(g -> MemoryBudget.largestReady(g).map(w -> new Located(g.id(), w)).stream())
                .max(Comparator.comparingLong(l -> l.worker().wear().pss()));
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
