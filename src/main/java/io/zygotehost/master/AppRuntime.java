package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.process.ListenSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The master's view of one app: its config, its listening socket and its generations. */
final class AppRuntime {
    /** A JVM and an app's start must fit in this; a worker or canary slower than this is killed. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    final String name;
    AppConfig config;
    /** Null when it could not be opened: the app then serves nothing, and {@link #problem} says why. */
    ListenSocket socket;
    /** Oldest first; the current one is last. Old ones stay until their last process is gone. */
    final List<Generation> generations = new ArrayList<>();
    Generation current;
    int nextWorkerId = 1;
    boolean stopping;
    String problem;

    AppRuntime(AppConfig config) {
        this.name = config.name();
        this.config = config;
    }

    PlannerView.AppView view(boolean hostStopping) {
        return new PlannerView.AppView(name, config.workers(), BOOT_TIMEOUT, config.gracefulTimeout(),
                stopping || hostStopping, generations.stream().map(g -> g.view(g == current)).toList());
    }
}
