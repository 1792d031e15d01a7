package io.zygotehost.master;

import io.zygotehost.config.Sizes;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.PlannerView.AppView;
import io.zygotehost.master.PlannerView.GenerationView;
import io.zygotehost.master.PlannerView.WorkerView;
import io.zygotehost.master.PlannerView.ZygoteView;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What memory allows, for one turn of the planner: an app's {@code memory} budget and the host's
 * {@code memory_limit}, both in PSS (RSS would count the pages a worker shares with its zygote and
 * siblings once per process). Two questions: how many workers the budgets hold (the app runs no
 * more), and how many more processes may start now. A process not measured yet counts at the size
 * expected of a new worker, so a burst of spawns cannot overshoot before the first measurement.
 */
final class MemoryBudget {

    /** The host's memory_limit in bytes; 0 for none. */
    private final long hostLimit;
    /** Every app's processes, as accounted; grows as this turn asks for spawns. */
    private long hostAccounted;
    private final long hostMeasured;

    MemoryBudget(long hostLimit, List<AppView> apps) {
        this.hostLimit = hostLimit;
        this.hostAccounted = apps.stream().mapToLong(MemoryBudget::accounted).sum();
        this.hostMeasured = apps.stream().mapToLong(MemoryBudget::measured).sum();
    }

    /** How many workers the budgets hold, and why when that is fewer than {@code workers}. */
    record Cap(int workers, String why) {}

    Cap cap(AppView app, GenerationView generation) {
        long estimate = newWorkerEstimate(app, generation);
        if (estimate == 0) {
            return new Cap(app.workers(), "");
        }
        long zygotes = zygotes(app);
        Cap cap = new Cap(app.workers(), "");
        if (app.policy().memory() > 0) {
            int fits = fits(app.policy().memory() - zygotes, estimate);
            if (fits < cap.workers()) {
                cap = new Cap(fits, "memory " + Sizes.format(app.policy().memory()) + " holds " + fits + " of its "
                        + app.workers() + " workers (zygotes " + Sizes.format(zygotes) + ", a worker ~"
                        + Sizes.format(estimate) + " PSS)");
            }
        }
        if (hostLimit > 0) {
            long others = hostAccounted - accounted(app) + zygotes;
            int fits = fits(hostLimit - others, estimate);
            if (fits < cap.workers()) {
                cap = new Cap(fits, "memory_limit " + Sizes.format(hostLimit) + " holds " + fits + " of its "
                        + app.workers() + " workers (everything else " + Sizes.format(others) + ", a worker ~"
                        + Sizes.format(estimate) + " PSS)");
            }
        }
        return cap;
    }

    /** How many more worker processes of this generation memory lets start now. */
    int headroom(AppView app, GenerationView generation) {
        long estimate = newWorkerEstimate(app, generation);
        if (estimate == 0) {
            return Integer.MAX_VALUE;
        }
        int headroom = Integer.MAX_VALUE;
        if (app.policy().memory() > 0) {
            headroom = fits(app.policy().memory() - accounted(app), estimate);
        }
        if (hostLimit > 0) {
            headroom = Math.min(headroom, fits(hostLimit - hostAccounted, estimate));
        }
        return headroom;
    }

    /** This turn asked for spawns: the next app sees less room under memory_limit. */
    void spawning(AppView app, GenerationView generation, int count) {
        hostAccounted += count * newWorkerEstimate(app, generation);
    }

    /** Over its own budget by measurement: its largest ready worker, to recycle (none while one already drains). */
    Optional<String> overAppBudget(AppView app) {
        long measured = measured(app);
        if (app.policy().memory() == 0 || measured <= app.policy().memory()) {
            return Optional.empty();
        }
        return Optional.of("the app's PSS " + Sizes.format(measured) + " is over its memory " + Sizes.format(app.policy().memory()));
    }

    Optional<String> overHostLimit() {
        if (hostLimit == 0 || hostMeasured <= hostLimit) {
            return Optional.empty();
        }
        return Optional.of("the host's PSS " + Sizes.format(hostMeasured) + " is over memory_limit " + Sizes.format(hostLimit));
    }

    /** The biggest worker serving: the one whose recycling frees the most. */
    static Optional<WorkerView> largestReady(GenerationView generation) {
        return generation.workers().stream()
                .filter(w -> w.phase() == WorkerPhase.READY && w.wear().pss() > 0)
                .max(Comparator.comparingLong(w -> w.wear().pss()));
    }

    /**
     * The PSS a new worker of the generation is expected to reach: its largest measured ready worker, else its
     * zygote's (the same JVM and app, before traffic), else any measured worker of the app; 0 when nothing is
     * measured yet. The largest, not the smallest: a new worker grows to its siblings' size under the same
     * traffic, and PSS moves as processes come and go (shared pages are divided among more of them). Counting
     * a worker small let the cap rise by one, the next measurement drain it again: a worker started and
     * recycled for nothing. Counting it large costs at most one worker the budget could have held.
     */
    static long newWorkerEstimate(AppView app, GenerationView generation) {
        OptionalLong largest = generation.workers().stream()
                .filter(w -> w.phase() == WorkerPhase.READY && w.wear().pss() > 0)
                .mapToLong(w -> w.wear().pss()).max();
        if (largest.isPresent()) {
            return largest.getAsLong();
        }
        long zygote = generation.zygote().map(ZygoteView::pss).orElse(0L);
        if (zygote > 0) {
            return zygote;
        }
        return app.generations().stream().flatMap(g -> g.workers().stream())
                .mapToLong(w -> w.wear().pss()).filter(pss -> pss > 0).max().orElse(0);
    }

    /** Zygotes and workers as measured, one not yet measured at the size expected of a new worker. */
    private static long accounted(AppView app) {
        long total = zygotes(app);
        for (GenerationView generation : app.generations()) {
            long estimate = newWorkerEstimate(app, generation);
            for (WorkerView worker : generation.workers()) {
                total += Math.max(worker.wear().pss(), worker.phase().isStarting() ? estimate : 0);
            }
        }
        return total;
    }

    /** Only what was measured: being over budget is decided on facts, not estimates. */
    private static long measured(AppView app) {
        return zygotes(app) + app.generations().stream().flatMap(g -> g.workers().stream())
                .mapToLong(w -> w.wear().pss()).sum();
    }

    private static long zygotes(AppView app) {
        return app.generations().stream().flatMap(g -> g.zygote().stream()).mapToLong(ZygoteView::pss).sum();
    }

    private static int fits(long room, long each) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, room / each));
    }
}
