package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.master.PlannerView.Role;
import io.zygotehost.process.ListenSocket;
import io.zygotehost.ipc.AotCacheSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The master's view of one app: its config, its listening socket and its generations. */
final class AppRuntime {
    final String name;
    AppConfig config;
    /** The socket of the app's {@code listen}, for new generations. Null when it could not be opened ({@link #problem} says why). */
    ListenSocket socket;
    /** Oldest first. Invariant: at most one CURRENT and one INCOMING; old ones stay until their last process is gone. */
    final List<Generation> generations = new ArrayList<>();
    /** The deploy under way, if any; its target is the INCOMING generation. */
    Deploy deploy;
    int nextWorkerId = 1;
    /** Removed from the config: everything drains, then the app and its socket go. */
    boolean removed;
    /** Why the app does not serve, for the log and status. */
    String problem;
    /** How many workers the memory budget held when we last logged it; -1 before the budget first held fewer than workers. */
    int announcedCap = -1;
    /** Why the budget holds fewer than {@code workers}, as last announced; null while it holds them all. */
    String capReason;
    /** The AOT cache of the version served before the current one: kept for a rollback. Null before a deploy. */
    AotCacheSpec rollbackCache;
    /** Counts that outlive its processes: exited workers' traffic, spawns, exits, deploys. */
    final AppMetrics metrics = new AppMetrics();
    /** Waiting for the removal to finish. */
    final List<ReloadWaiter> removalWaiters = new ArrayList<>();

    AppRuntime(AppConfig config) {
        this.name = config.name();
        this.config = config;
    }

    Optional<Generation> current() {
        return generations.stream().filter(g -> g.role == Role.CURRENT).findFirst();
    }

    /** The generation a reload compares a new config with: the deploy's target, else the current one. */
    Optional<Generation> newest() {
        return deploy != null ? Optional.of(deploy.to()) : current();
    }

    PlannerView.AppView view(boolean hostStopping) {
        return new PlannerView.AppView(name, config.workers(), config.maxWorkers(), config.timeout(), config.gracefulTimeout(),
                removed || hostStopping, generations.stream().map(Generation::view).toList(),
                new PlannerView.Policy(config.threads(), config.spares(), config.memory(),
                        config.maxWorkerMemory(), announcedCap));
    }
}
