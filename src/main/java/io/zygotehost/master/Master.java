package io.zygotehost.master;

import io.zygotehost.admin.AdminServer;
import io.zygotehost.config.AppConfig;
import io.zygotehost.config.ConfigException;
import io.zygotehost.config.ConfigLoader;
import io.zygotehost.config.Durations;
import io.zygotehost.config.HostConfig;
import io.zygotehost.ipc.AotCacheSpec;
import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.ipc.IpcServer;
import io.zygotehost.ipc.Message;
import io.zygotehost.ipc.MessageCodec;
import io.zygotehost.ipc.RunAs;
import io.zygotehost.ipc.TlsFiles;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.Phases.ZygotePhase;
import io.zygotehost.process.Accounts;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.ListenSocket;
import io.zygotehost.process.PidFile;
import io.zygotehost.process.ProcessLauncher;
import io.zygotehost.process.Signals;
import io.zygotehost.logs.ChildLabel;
import io.zygotehost.logs.ChildOutput;
import io.zygotehost.logs.HostLogs;
import io.zygotehost.process.SystemdNotify;
import io.zygotehost.status.HostStatus;
import io.zygotehost.status.Startup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master: one thread owns every piece of state. Each turn it takes the queued events, reaps
 * what has exited, asks the {@link Planner} what to do, and does it. Signal handlers, API calls
 * and control connections only queue events.
 */
public final class Master {

    private static final Logger log = LoggerFactory.getLogger("master");
    private static final long TURN_MILLIS = 100;
    /** A worker whose connection closed but whose exit status never came (not our child to reap) is dropped after this. */
    private static final Duration LOST_AFTER = Duration.ofSeconds(5);
    /** New workers that die young this many times in a row abandon the deploy: the version is broken. */
    private static final int DEPLOY_CRASH_LIMIT = 2;
    /**
     * How often every process's PSS is read. A reading costs about a millisecond per JVM (the
     * kernel walks its mappings); a worker over max_worker_memory is caught within one interval.
     */
    private static final Duration MEMORY_CHECK_INTERVAL = Duration.ofSeconds(1);
    /**
     * How often the admin endpoint gets a new snapshot. Its figures are a heartbeat (1 s) old anyway;
     * scrapes and page loads read the last one and never wait on this thread.
     */
    private static final Duration PUBLISH_INTERVAL = Duration.ofMillis(250);

    /** The config in force: the last one that loaded whole. */
    private HostConfig config;
    private final ProcessLauncher launcher;
    private final Clock clock;
    private final String hostClasspath;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<String, AppRuntime> apps = new LinkedHashMap<>();
    private final Map<Connection, Peer> peers = new HashMap<>();
    private final Planner planner = new Planner();
    private final List<ReloadWaiter> reloadWaiters = new ArrayList<>();
    private final ReleaseWatcher watcher = new ReleaseWatcher(app -> events.add(new Event.Redeploy(app)));
    private IpcServer ipc;
    /** The control sockets and folders of apps that run as other users (user:). */
    private AccountDirs accountDirs;
    private final HostNotifier notifier = HostNotifier.fromEnvironment();
    private ChildCommands commands;
    /** run_dir/aot; empty on a JDK without AOT training, or when the folder cannot be made. */
    private Optional<AotCaches> aotCaches = Optional.empty();
    private int nextGeneration = 1;
    private final Random random = new Random();
    /** The log files and the pipes children write into them; open once the run_dir is ours. */
    private HostLogs logs;
    private Instant nextMemoryCheck = Instant.EPOCH;
    /** host.admin's page, /status.json and /metrics; serves nothing when admin is not set. */
    private final AdminServer admin = new AdminServer();
    private Instant nextPublish = Instant.EPOCH;
    /** The master's own, at the last memory check, for status. */
    private ProcessMemory masterMemory;
    private final Instant startedAt;
    /** The outcome of the last reload, for status; null before the first. */
    private HostStatus.Reload lastReload;
    /** Set by the first stop: past it, whatever still runs is killed. */
    private Instant stopDeadline;
    private boolean finished;

    public Master(HostConfig config, ProcessLauncher launcher, Clock clock, String hostClasspath) {
        this.config = config;
        this.launcher = launcher;
        this.clock = clock;
        this.hostClasspath = hostClasspath;
        this.startedAt = clock.instant();
    }

    // ---- what other threads may call: they only queue ----

    public void requestStop(boolean immediate) {
        events.add(new Event.Stop(immediate));
    }

    public void requestReload() {
        events.add(new Event.Reload(null));
    }

    /** SIGUSR1: an external logrotate moved the log files. */
    public void requestReopenLogs() {
        events.add(new Event.ReopenLogs());
    }

    /** The host's status, built on the master's thread at its next turn (within about 100 ms). */
    public CompletableFuture<HostStatus> requestStatus() {
        CompletableFuture<HostStatus> answer = new CompletableFuture<>();
        events.add(new Event.Status(answer));
        return answer;
    }

    /** Completed once every app serves, or cannot (see {@link HostNotifier}). */
    public CompletableFuture<Startup> started() {
        return notifier.started();
    }

    /**
     * Takes the run_dir (refusing it if another host runs from it) and opens the control socket.
     * Called before {@link #run}, on the caller's thread, so that a host that cannot start says why at once.
     */
    public void prepare() throws IOException {
        try {
            refuseImpossibleAccounts();
            takeRunDir();
            logs = HostLogs.open(config.host());
        } catch (IOException e) {
            notifier.close();
            throw e;
        }
        try {
            admin.configure(config.host().admin(), config.host().adminToken());
        } catch (IOException e) {
            cleanUp();
            throw new IOException(e.getMessage() + " (host.admin in " + config.file() + ")", e);
        }
    }

    /** An app's user: the master cannot switch to refuses the whole start, as gunicorn does (see AppAccounts). */
    private void refuseImpossibleAccounts() throws IOException {
        List<String> problems = new ArrayList<>();
        for (AppConfig app : config.apps().values()) {
            try {
                AppAccounts.runAs(app, Accounts.currentUid(), Accounts.currentGid());
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(String.join("\n", problems));
        }
    }

    // ---- the verbs of a turn ----

    private void drainEvents() {
        try {
            Event event = events.poll(TURN_MILLIS, TimeUnit.MILLISECONDS);
            while (event != null) {
                handle(event);
                event = events.poll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle(new Event.Stop(true));
        }
    }

    /** Zygotes are our children; workers become ours when their zygote dies (we are their subreaper). */
    private void reapChildren() {
        Instant now = clock.instant();
        for (AppRuntime app : List.copyOf(apps.values())) {
            for (Generation generation : List.copyOf(app.generations)) {
                ZygoteProcess zygote = generation.zygote;
                if (zygote != null) {
                    launcher.reap(zygote.pid).ifPresent(status -> zygoteEnded(app, generation, zygote, status));
                }
                for (WorkerProcess worker : List.copyOf(generation.workers.values())) {
                    if (worker.pid > 0) {
                        launcher.reap(worker.pid).ifPresent(status -> workerEnded(app, generation, worker, Optional.of(status)));
                    }
                    // Its zygote reaped it, then died before telling us (a stop kills both at once): nobody will report it.
                    if (worker.pid > 0 && generation.zygote == null && generation.workers.containsKey(worker.id)
                            && !launcher.signal(worker.pid, 0)) {
                        workerEnded(app, generation, worker, Optional.empty());
                    }
                    if (worker.phase == WorkerPhase.GONE && !worker.since.plus(LOST_AFTER).isAfter(now)
                            && generation.workers.containsKey(worker.id)) {
                        workerEnded(app, generation, worker, Optional.empty());
                    }
                }
            }
        }
    }

    /** A generation whose worker has served a while is healthy again: its crash backoff is forgotten. */
    private void forgiveCrashes() {
        Instant now = clock.instant();
        for (AppRuntime app : apps.values()) {
            for (Generation generation : app.generations) {
                if (generation.crashStreak > 0 && generation.workers.values().stream().anyMatch(
                        w -> w.phase == WorkerPhase.READY && w.readyAt.plus(Backoff.YOUNG).isBefore(now))) {
                    if (generation.inCrashLoop()) {
                        log.info("{}: out of its crash loop, a worker has served {}", generation.label(),
                                Durations.approximate(Backoff.YOUNG));
                    }
                    generation.crashStreak = 0;
                }
            }
        }
    }

    /** Every process's PSS and RSS, once per {@link #MEMORY_CHECK_INTERVAL}: what memory limits and budgets act on. */
    private void measureMemory() {
        Instant now = clock.instant();
        if (now.isBefore(nextMemoryCheck)) {
            return;
        }
        nextMemoryCheck = now.plus(MEMORY_CHECK_INTERVAL);
        masterMemory = measure((int) ProcessHandle.current().pid()).orElse(masterMemory);
        for (AppRuntime app : apps.values()) {
            for (Generation generation : app.generations) {
                if (generation.zygote != null) {
                    generation.zygote.memory = measure(generation.zygote.pid).orElse(generation.zygote.memory);
                }
                for (WorkerProcess worker : generation.workers.values()) {
                    worker.memory = measure(worker.pid).orElse(worker.memory);
                }
            }
        }
    }

    /** Empty for a process not known yet (pid 0) or gone; a /proc the reader does not understand is logged, not fatal. */
    private static Optional<ProcessMemory> measure(int pid) {
        try {
            return ProcessMemory.of(pid);
        } catch (RuntimeException e) {
            log.warn("cannot read the memory of pid {}: {}", pid, e.getMessage());
            return Optional.empty();
        }
    }

    private void reconcile() {
        Instant now = clock.instant();
        boolean stopping = stopDeadline != null;
        List<PlannerView.AppView> views = apps.values().stream().map(app -> app.view(stopping)).toList();
        for (Action action : planner.decide(views, config.host().memoryLimit(), now)) {
            AppRuntime app = apps.get(action.app());
            Generation generation = app.generations.stream().filter(g -> g.id == action.generation()).findFirst().orElseThrow();
            execute(action, app, generation, now);
        }
    }

    /** Hands the admin endpoint a fresh snapshot, when it serves and its last one has aged. */
    private void publishStatus() {
        Instant now = clock.instant();
        if (admin.isServing() && !now.isBefore(nextPublish)) {
            nextPublish = now.plus(PUBLISH_INTERVAL);
            admin.publish(status());
        }
    }

    private void finishStopping() {
        if (stopDeadline == null) {
            return;
        }
        if (processCount() == 0) {
            log.info("stopped: every worker and zygote has exited");
            finished = true;
        } else if (clock.instant().isAfter(stopDeadline)) {
            log.warn("shutdown_timeout {} passed with {} processes left: killing them",
                    Durations.approximate(config.host().shutdownTimeout()), processCount());
            killEverything();
        }
    }

    // ---- events ----

    private void handle(Event event) {
        switch (event) {
            case Event.Stop(boolean immediate) -> stop(immediate);
            case Event.Reload(Connection requester) -> reload(new ReloadWaiter(requester));
            case Event.ReopenLogs r -> logs.reopen();
            case Event.Redeploy(String name) -> {
                AppRuntime app = apps.get(name);
                if (app != null && !app.removed && stopDeadline == null) {
                    log.info("app {}: its release changed (watch: true); redeploying", name);
                    applyChange(app, app.config, new ReloadWaiter(null));
                }
            }
            case Event.Status(CompletableFuture<HostStatus> answer) -> answer.complete(status());
            case Event.Connected(Connection connection, Message.Hello hello) -> connected(connection, hello);
            case Event.Received(Connection connection, Message message) -> {
                Peer peer = peers.get(connection);
                if (peer != null) {
                    received(connection, peer, message);
                }
            }
            case Event.Disconnected(Connection connection) -> disconnected(connection);
        }
    }

    private void stop(boolean immediate) {
        if (stopDeadline == null) {
            notifier.stopping(processCount());
        }
        if (immediate || stopDeadline != null) {
            log.warn("stopping at once: killing every worker and zygote");
            killEverything();
            return;
        }
        stopDeadline = clock.instant().plus(config.host().shutdownTimeout());
        log.info("stopping gracefully: draining {} processes (shutdown_timeout {})", processCount(),
                Durations.approximate(config.host().shutdownTimeout()));
    }

    private void connected(Connection connection, Message.Hello hello) {
        if (hello.role() == Message.Role.CLI) {
            if (!accountDirs.isPeerOf(connection, null)) {
                refuse(connection, hello, "not the master's user");
                return;
            }
            peers.put(connection, new Peer.Cli());
            return;
        }
        for (AppRuntime app : apps.values()) {
            for (Generation generation : app.generations) {
                if (generation.id != hello.generation()) {
                    continue;
                }
                // A zygote connects before it switches to the app's user (AccountSwitch), its workers after.
                RunAs peer = hello.role() == Message.Role.ZYGOTE ? null : generation.spec.runAs();
                if (!accountDirs.isPeerOf(connection, peer)) {
                    refuse(connection, hello, "not the user of " + generation.label());
                    return;
                }
                if (hello.role() == Message.Role.ZYGOTE && generation.zygote != null && generation.zygote.pid == hello.pid()) {
                    generation.zygote.connection = connection;
                    peers.put(connection, new Peer.Zygote(app, generation, generation.zygote));
                    return;
                }
                WorkerProcess worker = generation.workers.get(hello.workerId());
                if (hello.role() == Message.Role.WORKER && worker != null) {
                    worker.connection = connection;
                    worker.spawned(hello.pid()); // perhaps before its zygote's report
                    peers.put(connection, new Peer.Worker(app, generation, worker));
                    return;
                }
            }
        }
        // A process we no longer track (killed, timed out): closing its connection makes it exit.
        log.warn("closing the control connection of an unknown {} (pid {}, generation {})",
                hello.role().name().toLowerCase(), hello.pid(), hello.generation());
        connection.close();
    }

    private static void refuse(Connection connection, Message.Hello hello, String why) {
        log.warn("refusing the control connection of a {} (pid {}): its peer is {}, {}", hello.role().name().toLowerCase(),
                hello.pid(), connection.peerUser().orElse("unknown"), why);
        connection.close();
    }

    private void received(Connection connection, Peer peer, Message message) {
        Instant now = clock.instant();
        switch (peer) {
            case Peer.Zygote(AppRuntime app, Generation generation, ZygoteProcess zygote) ->
                    fromZygote(app, generation, zygote, message, now);
            case Peer.Worker(AppRuntime app, Generation generation, WorkerProcess worker) ->
                    fromWorker(app, generation, worker, message, now);
            case Peer.Cli() -> {
                // Each command is answered once, then its connection closed.
                if (message instanceof Message.Reload) {
                    peers.remove(connection);
                    reload(new ReloadWaiter(connection));
                } else if (message instanceof Message.StatusRequest) {
                    peers.remove(connection);
                    connection.trySend(new Message.StatusReport(status()));
                    connection.close();
                }
            }
        }
    }

    private void fromZygote(AppRuntime app, Generation generation, ZygoteProcess zygote, Message message, Instant now) {
        switch (message) {
            case Message.CanaryPassed() -> {
                zygote.phase = ZygotePhase.READY;
                zygote.since = now;
                // Measured at once: until its first worker is, the zygote's size is what a new worker is expected to take.
                zygote.memory = measure(zygote.pid).orElse(null);
                if (generation.phase == GenerationPhase.STARTING) {
                    generation.phase = GenerationPhase.READY;
                    app.problem = null;
                    log.info("{} ({}): canary passed", generation.label(), generation.release.shortHash());
                }
            }
            case Message.CanaryFailed(String reason) -> {
                generation.phase = GenerationPhase.FAILED;
                generation.failure = reason;
                app.problem = "version " + generation.release.version() + " cannot start: " + reason;
                zygote.phase = ZygotePhase.STOPPING;
                log.error("app {}: {}", app.name, app.problem);
            }
            case Message.WorkerSpawned(int workerId, int pid) -> {
                WorkerProcess worker = generation.workers.get(workerId);
                if (worker != null && worker.pid == 0) {
                    worker.spawned(pid);
                }
                app.metrics.spawned(AppMetrics.WORKER);
                log.info("spawned worker {} (pid {})", generation.spec.workerLabel(workerId), pid);
            }
            case Message.WorkerSpawnFailed(int workerId, String reason) -> {
                log.error("cannot spawn worker {}: {}", generation.spec.workerLabel(workerId), reason);
                WorkerProcess worker = generation.workers.remove(workerId);
                if (worker != null) {
                    worker.pipesGone();
                    generation.recordFailure(worker.spawnedAt, now);
                }
            }
            case Message.WorkerExited(int workerId, int pid, int exitCode, int signal) -> {
                WorkerProcess worker = generation.workers.get(workerId);
                if (worker != null && (worker.pid == pid || worker.pid == 0)) {
                    ExitStatus status = signal != 0 ? new ExitStatus.Signaled(signal) : new ExitStatus.Exited(exitCode);
                    workerEnded(app, generation, worker, Optional.of(status));
                }
            }
            default -> log.warn("unexpected message from zygote {}: {}", generation.label(), message);
        }
    }

    private void fromWorker(AppRuntime app, Generation generation, WorkerProcess worker, Message message, Instant now) {
        switch (message) {
            case Message.WorkerReady() -> {
                worker.lastHeartbeat = now;
                if (worker.phase == WorkerPhase.SPARE_STARTING) {
                    worker.enter(WorkerPhase.SPARE, now);
                    log.info("spare {} (pid {}) built and waiting, in {} ms", generation.spec.workerLabel(worker.id),
                            worker.pid, Duration.between(worker.spawnedAt, now).toMillis());
                    return;
                }
                Instant asked = worker.phase == WorkerPhase.SPAWNING ? worker.since : worker.spawnedAt;
                if (worker.phase == WorkerPhase.SPAWNING) {
                    worker.enter(WorkerPhase.READY, now);
                }
                worker.readyAt = now;
                worker.ageLimit = withJitter(app.config.maxAge(), app.config.maxAgeJitter());
                log.info("worker {} (pid {}) ready in {} ms{}", generation.spec.workerLabel(worker.id), worker.pid,
                        Duration.between(asked, now).toMillis(), worker.spare ? " (an activated spare)" : "");
            }
            case Message.WorkerFailed(String reason) -> {
                worker.failure = reason;
                log.error("worker {} (pid {}) cannot start: {}", generation.spec.workerLabel(worker.id), worker.pid, reason);
            }
            case Message.Heartbeat(long requests, int inFlight, int stuck, Traffic traffic) -> {
                worker.traffic = traffic == null ? worker.traffic : traffic;
                worker.stuck = stuck;
                worker.lastHeartbeat = now;
                worker.requests = requests;
                worker.inFlight = inFlight;
            }
            default -> log.warn("unexpected message from worker {}: {}", generation.spec.workerLabel(worker.id), message);
        }
    }

    private HostStatus status() {
        long pid = ProcessHandle.current().pid();
        return StatusSnapshot.of(config, apps.values(), pid, startedAt, masterMemory, lastReload, clock.instant());
    }

    private void disconnected(Connection connection) {
        Peer peer = peers.remove(connection);
        switch (peer) {
            case Peer.Zygote(AppRuntime app, Generation generation, ZygoteProcess zygote) -> zygote.connection = null;
            case Peer.Worker(AppRuntime app, Generation generation, WorkerProcess worker) -> {
                worker.connection = null;
                if (generation.workers.containsKey(worker.id) && worker.phase.isLive()) {
                    worker.enter(WorkerPhase.GONE, clock.instant());
                }
            }
            case Peer.Cli() -> { }
            case null -> { }
        }
    }

    // ---- reloads and deploys ----

    /**
     * Re-reads the config file. One that does not load whole changes nothing; one that does is
     * applied app by app, touching only what changed. The waiter is answered when every deploy
     * this reload started has ended.
     */
    private void reload(ReloadWaiter waiter) {
        notifier.reloadStarted(waiter, config.file());
        HostConfig next;
        try {
            next = ConfigLoader.load(config.file());
        } catch (ConfigException e) {
            log.error("reload refused, nothing changed:\n{}", e.getMessage());
            waiter.done("config", false, "refused, nothing changed:\n" + e.getMessage());
            answer(waiter);
            return;
        }
        log.info("reloading {}", config.file());
        if (stopDeadline != null) {
            waiter.done("host", false, "stopping: the reload is ignored");
            answer(waiter);
            return;
        }
        for (AppRuntime app : List.copyOf(apps.values())) {
            if (!next.apps().containsKey(app.name) && !app.removed) {
                app.removed = true;
                app.removalWaiters.add(waiter);
                waiter.pending(app.name);
                log.info("app {}: removed from the config; draining it", app.name);
            }
        }
        for (AppConfig appConfig : next.apps().values()) {
            AppRuntime app = apps.get(appConfig.name());
            if (app == null) {
                addApp(appConfig, waiter);
                continue;
            }
            if (app.removed) {
                // Back before it had drained: it stays, and whoever waited for its removal hears so.
                app.removed = false;
                app.removalWaiters.forEach(w -> finishWaiter(w, app.name, true, "added back before it was gone"));
                app.removalWaiters.clear();
            }
            applyChange(app, appConfig, waiter);
        }
        config = next;
        // Memory measured now, before this turn's plan: a budget or a worker count that changed is weighed against
        // what the processes hold now, not a second ago (workers grow fast under load: sized by an older, smaller
        // figure, the cap rose by one and the next check drained a worker again).
        nextMemoryCheck = Instant.EPOCH;
        watchReleases();
        try {
            admin.configure(next.host().admin(), next.host().adminToken());
        } catch (IOException e) {
            log.error("reload: host.admin not applied: {}", e.getMessage());
            waiter.done("admin", false, "not applied: " + e.getMessage());
        }
        if (waiter.complete()) {
            answer(waiter);
        } else {
            reloadWaiters.add(waiter);
        }
    }

    private void watchReleases() {
        Map<String, Path> watched = new HashMap<>();
        config.apps().values().stream().filter(AppConfig::watch).forEach(app -> watched.put(app.name(), app.path()));
        watcher.watch(watched);
    }

    private void addApp(AppConfig appConfig, ReloadWaiter waiter) {
        AppRuntime app = new AppRuntime(appConfig);
        apps.put(app.name, app);
        startApp(app);
        app.current().ifPresentOrElse(generation -> {
            waiter.pending(app.name);
            Deploy deploy = new Deploy(null, generation, clock.instant());
            deploy.waiters().add(waiter);
            app.deploy = deploy;
            generation.role = PlannerView.Role.INCOMING;
        }, () -> waiter.done(app.name, false, "cannot start: " + app.problem));
    }

    /** The app stays; what changed decides between nothing, an in-place change and a new generation. */
    private void applyChange(AppRuntime app, AppConfig next, ReloadWaiter waiter) {
        AppConfig previous = app.config;
        Release release;
        try {
            release = Release.resolve(next);
        } catch (IOException e) {
            log.error("app {}: reload not applied: {}", app.name, e.getMessage());
            waiter.done(app.name, false, "not applied: " + e.getMessage());
            return;
        }
        GenerationKey key = GenerationKey.of(next, release);
        Optional<Generation> newest = app.newest();
        if (newest.isPresent() && newest.get().key.equals(key)) {
            app.config = next;
            String inPlace = previous.equals(next) ? "unchanged" : "updated in place";
            if (app.deploy != null) {
                app.deploy.waiters().add(waiter);
                waiter.pending(app.name);
            } else {
                waiter.done(app.name, true, inPlace + " (" + newest.get().label() + ")");
            }
            return;
        }
        Optional<Generation> current = app.current();
        if (app.deploy != null && current.isPresent() && current.get().key.equals(key)) {
            app.config = next;
            endDeploy(app, DeployOutcome.CANCELLED, "cancelled: the config went back to " + current.get().label());
            waiter.done(app.name, true, "unchanged (" + current.get().label() + "); the deploy under way was cancelled");
            return;
        }
        ListenSocket socket = app.socket;
        if (!next.listen().equals(previous.listen())) {
            try {
                socket = ListenSocket.open(next.listen().toSocketAddress());
            } catch (IOException e) {
                log.error("app {}: reload not applied: {}", app.name, e.getMessage());
                waiter.done(app.name, false, "not applied: " + e.getMessage());
                return;
            }
        }
        if (app.deploy != null) {
            endDeploy(app, DeployOutcome.SUPERSEDED, "superseded by a newer reload");
        }
        Generation incoming;
        try {
            incoming = newGeneration(app, next, release, socket, PlannerView.Role.INCOMING);
        } catch (IOException e) {
            log.error("app {}: reload not applied: {}", app.name, e.getMessage());
            waiter.done(app.name, false, "not applied: " + e.getMessage());
            if (socket != app.socket) {
                closeSocket(app, socket);
            }
            return;
        }
        ListenSocket previousSocket = app.socket;
        app.config = next;
        app.socket = socket;
        if (previousSocket != socket && app.generations.stream().noneMatch(g -> g.socket == previousSocket)) {
            closeSocket(app, previousSocket);
        }
        Deploy deploy = new Deploy(current.orElse(null), incoming, clock.instant());
        deploy.waiters().add(waiter);
        app.deploy = deploy;
        waiter.pending(app.name);
        log.info("app {}: deploying {} ({}) over {}", app.name, incoming.label(), release.shortHash(),
                current.map(Generation::label).orElse("nothing"));
    }

    /** Each turn: a deploy whose new generation is ready takes over; one that cannot start is abandoned. */
    private void advanceDeploys() {
        for (AppRuntime app : List.copyOf(apps.values())) {
            Deploy deploy = app.deploy;
            if (deploy == null) {
                continue;
            }
            Generation to = deploy.to();
            if (to.phase == GenerationPhase.FAILED) {
                endDeploy(app, DeployOutcome.ABANDONED, to.failure);
            } else if (to.crashStreak >= DEPLOY_CRASH_LIMIT) {
                endDeploy(app, DeployOutcome.ABANDONED, "its workers keep dying young: " + to.failure);
            } else if (to.workerUnready) {
                endDeploy(app, DeployOutcome.ABANDONED, to.failure);
            } else if (to.readyWorkers() >= app.config.workers()
                    && (deploy.from() == null || deploy.from().workers.isEmpty())) {
                endDeploy(app, DeployOutcome.DONE, null);
            }
        }
    }

    /**
     * Ends the app's deploy. Done: the new generation becomes current, the old one retires, and the
     * waiters hear of it once the old one's last process is gone. Not done: the new one retires and
     * the current one, kept whole (or topped up again) by the planner, serves on.
     */
    private void endDeploy(AppRuntime app, DeployOutcome result, String why) {
        boolean done = result == DeployOutcome.DONE;
        Deploy deploy = app.deploy;
        app.deploy = null;
        app.metrics.deployEnded(deploy, result, why, clock.instant());
        Generation to = deploy.to();
        Generation from = deploy.from();
        Duration took = Duration.between(deploy.started(), clock.instant());
        if (done) {
            to.role = PlannerView.Role.CURRENT;
            app.problem = null;
            String outcome = (from == null ? "started " : from.release.version() + " -> ") + to.release.version()
                    + " in " + Durations.approximate(took);
            log.info("app {}: deploy of {} done: {}", app.name, to.label(), outcome);
            Runnable answer = () -> deploy.waiters().forEach(w -> finishWaiter(w, app.name, true, outcome));
            if (from != null && from.role == PlannerView.Role.CURRENT) {
                from.role = PlannerView.Role.OLD;
                from.whenGone.add(answer);
                forgetIfEmpty(app, from);
            } else {
                answer.run();
            }
        } else {
            to.role = PlannerView.Role.OLD;
            String serving = from == null ? "nothing else serves" : from.label() + " keeps serving";
            String outcome = "deploy of " + to.label() + " abandoned: " + why + "; " + serving;
            app.problem = outcome;
            log.error("app {}: {}", app.name, outcome);
            deploy.waiters().forEach(w -> finishWaiter(w, app.name, false, outcome));
            forgetIfEmpty(app, to);
        }
    }

    /** The reload has ended: whoever asked hears how, and status shows it as the last reload. */
    private void answer(ReloadWaiter waiter) {
        Message.ReloadDone outcome = waiter.outcome();
        lastReload = new HostStatus.Reload(clock.instant(), outcome.ok(), outcome.lines());
        waiter.answer();
        notifier.reloadEnded(waiter, outcome);
    }

    private void finishWaiter(ReloadWaiter waiter, String app, boolean ok, String outcome) {
        waiter.done(app, ok, outcome);
        if (waiter.complete() && reloadWaiters.remove(waiter)) {
            answer(waiter);
        }
    }

    /** A removed app with no process left: its socket closes and it is gone. */
    private void finishRemovals() {
        for (Map.Entry<String, AppRuntime> entry : List.copyOf(apps.entrySet())) {
            AppRuntime app = entry.getValue();
            if (app.removed && app.generations.stream().noneMatch(Generation::hasProcesses)) {
                app.generations.stream().map(g -> g.socket).distinct().forEach(socket -> closeSocket(app, socket));
                if (app.generations.stream().noneMatch(g -> g.socket == app.socket)) {
                    closeSocket(app, app.socket);
                }
                apps.remove(entry.getKey());
                removeUnneededCaches(true);
                log.info("app {}: removed", app.name);
                app.removalWaiters.forEach(w -> finishWaiter(w, app.name, true, "removed"));
            }
        }
    }

    // ---- exits ----

    private void zygoteEnded(AppRuntime app, Generation generation, ZygoteProcess zygote, ExitStatus status) {
        Instant now = clock.instant();
        generation.zygote = null;
        zygote.output.writerGone();
        if (zygote.connection != null) {
            peers.remove(zygote.connection);
            zygote.connection.close();
        }
        if (zygote.phase == ZygotePhase.STOPPING || generation.phase == GenerationPhase.FAILED || stopDeadline != null) {
            ExitReason reason = new ExitReason.Stopped(status);
            app.metrics.zygoteExited(reason);
            log.info("zygote {} (pid {}) exited: {}", generation.label(), zygote.pid, reason.describe());
        } else {
            ExitReason reason = zygote.phase == ZygotePhase.STARTING
                    ? new ExitReason.FailedToBoot(status) : new ExitReason.Crashed(status);
            app.metrics.zygoteExited(reason);
            generation.recordFailure(zygote.since, now);
            log.warn("zygote {} (pid {}) exited: {}; its {} workers keep serving; a new zygote starts in {} ms",
                    generation.label(), zygote.pid, reason.describe(), generation.workers.size(),
                    Duration.between(now, generation.notBefore).toMillis());
        }
        forgetIfEmpty(app, generation);
    }

    /** Classifies and logs a worker's end; {@code status} is empty when nobody could reap it. */
    private void workerEnded(AppRuntime app, Generation generation, WorkerProcess worker, Optional<ExitStatus> status) {
        Instant now = clock.instant();
        generation.workers.remove(worker.id);
        worker.pipesGone();
        if (worker.connection != null) {
            peers.remove(worker.connection);
            worker.connection.close();
        }
        ExitReason reason;
        if (worker.unready) {
            reason = new ExitReason.FailedToBoot(status.orElse(new ExitStatus.Signaled(Signals.SIGKILL)));
            worker.failure = "a worker was " + worker.killedBecause;
            generation.workerUnready = true;
        } else if (worker.killedBecause != null) {
            reason = new ExitReason.Killed(worker.killedBecause);
        } else if (status.isEmpty()) {
            reason = new ExitReason.Lost();
        } else if (worker.stopRequested) {
            reason = new ExitReason.Stopped(status.get());
        } else if (worker.readyAt == null) {
            reason = new ExitReason.FailedToBoot(status.get());
        } else {
            reason = new ExitReason.Crashed(status.get());
        }
        app.metrics.workerExited(generation.release.version(), worker.traffic, reason);
        if (reason.isFailure() && stopDeadline == null) {
            generation.recordFailure(worker.spawnedAt, now);
            generation.failure = worker.failure != null ? worker.failure : reason.describe();
        }
        String next = !reason.isFailure() || stopDeadline != null || generation.role == PlannerView.Role.OLD ? ""
                : generation.crashStreak == 0 ? "; replacing it"
                : (generation.inCrashLoop() ? "; CRASH LOOP, " : "; ") + "replacing it in "
                        + Duration.between(now, generation.notBefore).toMillis() + " ms (" + generation.crashStreak
                        + " died young in a row)";
        String message = "worker {} (pid {}) exited after {} and {} requests: {}{}";
        Object[] args = {generation.spec.workerLabel(worker.id), worker.pid,
                Durations.approximate(Duration.between(worker.spawnedAt, now)), worker.requests, reason.describe(), next};
        if (reason.isFailure()) {
            log.warn(message, args);
        } else {
            log.info(message, args);
        }
        forgetIfEmpty(app, generation);
    }

    /** An old generation with no process left is gone for good, and its socket with it if nothing else uses it. */
    private void forgetIfEmpty(AppRuntime app, Generation generation) {
        if (generation.role != PlannerView.Role.OLD || generation.hasProcesses()) {
            return;
        }
        app.generations.remove(generation);
        String version = generation.release.version();
        if (app.generations.stream().noneMatch(g -> g.release.version().equals(version))) {
            app.metrics.versionGone(version);
        }
        if (generation.phase == GenerationPhase.READY && generation.spec.aotCache() != null) {
            app.rollbackCache = generation.spec.aotCache();
        }
        removeUnneededCaches(true);
        boolean socketInUse = generation.socket == app.socket
                || app.generations.stream().anyMatch(g -> g.socket == generation.socket);
        if (!socketInUse && !app.removed) {
            closeSocket(app, generation.socket);
        }
        generation.whenGone.forEach(Runnable::run);
    }

    // ---- actions ----

    private void execute(Action action, AppRuntime app, Generation generation, Instant now) {
        switch (action) {
            case Action.StartZygote a -> startZygote(app, generation, now);
            case Action.SpawnWorker a -> spawnWorker(app, generation, a.spare(), now);
            case Action.ActivateWorker a -> {
                WorkerProcess worker = generation.workers.get(a.workerId());
                worker.enter(WorkerPhase.SPAWNING, now);
                generation.lastActivation = now;
                if (worker.connection == null || !worker.connection.trySend(new Message.Activate())) {
                    log.warn("cannot activate spare {} (pid {}): its control connection is gone",
                            generation.spec.workerLabel(worker.id), worker.pid);
                }
            }
            case Action.DrainWorker a -> {
                WorkerProcess worker = generation.workers.get(a.workerId());
                worker.stopRequested = true;
                worker.enter(WorkerPhase.DRAINING, now);
                if (worker.connection == null || !worker.connection.trySend(new Message.Drain())) {
                    launcher.signal(worker.pid, Signals.SIGTERM);
                }
                log.info("draining worker {} (pid {}): {}", generation.spec.workerLabel(worker.id), worker.pid, a.why());
            }
            case Action.KillWorker a -> {
                WorkerProcess worker = generation.workers.get(a.workerId());
                worker.unready = a.unready();
                killWorker(app, generation, worker, a.why(), now);
            }
            case Action.QuitWorker a -> {
                WorkerProcess worker = generation.workers.get(a.workerId());
                log.warn("worker {} (pid {}): {}; SIGQUIT for a thread dump in {}.log, SIGKILL in {}s",
                        generation.spec.workerLabel(worker.id), worker.pid, a.why(), app.name, Planner.DUMP_GRACE.toSeconds());
                worker.killedBecause = a.why();
                worker.enter(WorkerPhase.HUNG, now);
                launcher.signal(worker.pid, Signals.SIGQUIT);
            }
            case Action.AnnounceCap a -> {
                app.announcedCap = a.cap();
                app.capReason = a.cap() < app.config.workers() ? a.why() : null;
                if (a.cap() < app.config.workers()) {
                    log.warn("app {}: running {} workers, not {}: {}", app.name, a.cap(), app.config.workers(), a.why());
                } else {
                    log.info("app {}: running all {} workers again: {}", app.name, a.cap(), a.why());
                }
            }
            case Action.StopZygote a -> {
                generation.zygote.phase = ZygotePhase.STOPPING;
                generation.zygote.since = now;
                launcher.signal(generation.zygote.pid, Signals.SIGTERM);
            }
            case Action.AbandonGeneration a -> {
                generation.phase = GenerationPhase.FAILED;
                generation.failure = a.why();
                app.problem = "version " + generation.release.version() + " cannot start: " + a.why();
                log.error("app {}: {}", app.name, app.problem);
                generation.zygote.phase = ZygotePhase.STOPPING;
                launcher.signal(generation.zygote.pid, Signals.SIGKILL);
            }
        }
    }

    private void startZygote(AppRuntime app, Generation generation, Instant now) {
        ChildOutput output = null;
        try {
            ChildLabel label = new ChildLabel(generation.label() + " zygote");
            // Opened by our own spawn, before the zygote switches users: the master's pipe.
            output = logs.processOutput(app.name, app.name + ".g" + generation.spec.generation() + ".zygote", label, null);
            int pid = launcher.spawn(commands.zygote(generation.spec, app.config, generation.release, generation.socket.fd(),
                    output.path()));
            label.pid(pid);
            generation.zygote = new ZygoteProcess(pid, now, output);
            app.metrics.spawned(AppMetrics.ZYGOTE);
            log.info("started zygote {} (pid {}) from {}", generation.label(), pid, generation.release.resolved());
        } catch (IOException e) {
            if (output != null) {
                output.writerGone();
            }
            generation.recordFailure(now, now);
            log.error("app {}: cannot start zygote {}: {}", app.name, generation.label(), e.getMessage());
        }
    }

    private void spawnWorker(AppRuntime app, Generation generation, boolean spare, Instant now) {
        WorkerProcess worker = new WorkerProcess(app.nextWorkerId++, now);
        worker.spare = spare;
        worker.phase = spare ? WorkerPhase.SPARE_STARTING : WorkerPhase.SPAWNING;
        worker.requestLimit = app.config.maxRequests() == 0 ? 0
                : app.config.maxRequests() + (long) (random.nextDouble() * (app.config.maxRequestsJitter() + 1));
        try {
            worker.openPipes(logs, app.name, generation.spec.workerLabel(worker.id), app.config.accessLog(),
                    generation.spec.runAs());
        } catch (IOException e) {
            worker.pipesGone();
            log.error("app {}: cannot make the pipes of worker {}: {}", app.name, generation.spec.workerLabel(worker.id),
                    e.toString());
            return; // tried again at the next turn
        }
        generation.workers.put(worker.id, worker);
        Connection zygote = generation.zygote.connection;
        if (zygote == null || !zygote.trySend(new Message.SpawnWorker(worker.id, spare, worker.outputPath(),
                worker.accessLogPath()))) {
            generation.workers.remove(worker.id); // the zygote is going; the next one will spawn it
            worker.pipesGone();
        }
    }

    /** {@code base} plus a random part of {@code jitter}, so that workers started together do not end together; null for none. */
    private Duration withJitter(Duration base, Duration jitter) {
        if (base.isZero()) {
            return null;
        }
        return base.plusMillis((long) (random.nextDouble() * (jitter.toMillis() + 1)));
    }

    private void killWorker(AppRuntime app, Generation generation, WorkerProcess worker, String why, Instant now) {
        log.warn("killing worker {} (pid {}): {}", generation.spec.workerLabel(worker.id), worker.pid, why);
        worker.killedBecause = why;
        worker.enter(WorkerPhase.KILLED, now);
        if (worker.pid > 0) {
            launcher.signal(worker.pid, Signals.SIGKILL);
        } else {
            workerEnded(app, generation, worker, Optional.empty()); // never reported by its zygote: nothing to signal
        }
    }

    private void killEverything() {
        for (AppRuntime app : apps.values()) {
            for (Generation generation : app.generations) {
                if (generation.zygote != null) {
                    launcher.signal(generation.zygote.pid, Signals.SIGKILL);
                }
                for (WorkerProcess worker : generation.workers.values()) {
                    if (worker.pid > 0) {
                        launcher.signal(worker.pid, Signals.SIGKILL);
                    }
                }
            }
        }
        finished = true;
    }

    /** Runs until the host has stopped; returns the exit status for the process. */
    public int run() {
        try {
            notifier.starting(apps.size());
            apps.values().forEach(this::startApp);
            removeUnneededCaches(false);
            watchReleases();
            watcher.start();
            while (!finished) {
                drainEvents();
                reapChildren();
                forgiveCrashes();
                measureMemory();
                advanceDeploys();
                reconcile();
                notifier.checkStarted(apps.values());
                finishRemovals();
                finishStopping();
                publishStatus();
            }
        } finally {
            cleanUp();
        }
        return 0;
    }

    // ---- start and end ----

    private void takeRunDir() throws IOException {
        Path runDir = config.host().runDir();
        Files.createDirectories(runDir);
        Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx------"));
        Optional<Integer> running = PidFile.runningHost(runDir);
        if (running.isPresent() && running.get() != ProcessHandle.current().pid()) {
            throw new IOException("another zygote-host (pid " + running.get() + ") runs from " + runDir
                    + ": stop it first (bin/zygote-host stop " + config.file() + ")");
        }
        PidFile.write(runDir, (int) ProcessHandle.current().pid());
        MessageCodec.warmUp();
        Path socket = runDir.resolve("ipc.sock");
        IpcServer.Listener listener = new IpcServer.Listener() {
            public void connected(Connection connection, Message.Hello hello) {
                events.add(new Event.Connected(connection, hello));
            }

            public void received(Connection connection, Message message) {
                events.add(new Event.Received(connection, message));
            }

            public void disconnected(Connection connection) {
                events.add(new Event.Disconnected(connection));
            }
        };
        ipc = IpcServer.open(socket, listener);
        accountDirs = new AccountDirs(runDir, socket, Accounts.currentUid(), listener);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("ZYGOTE_HOST_"));
        env.remove(SystemdNotify.ENV); // systemd hears from the master alone, not from a library in an app
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            aotCaches = AotCaches.open(runDir);
        } catch (IOException e) {
            log.warn("workers start without AOT caches: cannot make {}: {}", runDir.resolve("aot"), e.toString());
        }
        commands = new ChildCommands(java, hostClasspath, socket, env, Runtime.getRuntime().availableProcessors(),
                NettyNative.extract(runDir), aotCaches);
        for (AppConfig app : config.apps().values()) {
            apps.put(app.name(), new AppRuntime(app));
        }
    }

    /** Opens the app's socket and resolves its release; a failure here stops this app only. */
    private void startApp(AppRuntime app) {
        try {
            app.socket = ListenSocket.open(app.config.listen().toSocketAddress());
            Release release = Release.resolve(app.config);
            Generation generation = newGeneration(app, app.config, release, app.socket, PlannerView.Role.CURRENT);
            log.info("app {}: {} on {}, {} workers", app.name, generation.label(), app.config.listen(), app.config.workers());
        } catch (IOException e) {
            app.problem = e.getMessage();
            log.error("app {}: {}; the other apps are served", app.name, e.getMessage());
        }
    }

    private Generation newGeneration(AppRuntime app, AppConfig config, Release release, ListenSocket socket,
            PlannerView.Role role) throws IOException {
        ChildCommands.Placement placement = placement(config);
        int id = nextGeneration++;
        Generation generation = new Generation(id, release, commands.spec(config, release, id, placement),
                GenerationKey.of(config, release), socket, role);
        app.generations.add(generation);
        return generation;
    }

    /** Who the app's processes run as, where they reach the master, and the copy of its TLS files they serve. */
    private ChildCommands.Placement placement(AppConfig app) throws IOException {
        Optional<RunAs> runAs = AppAccounts.runAs(app, Accounts.currentUid(), Accounts.currentGid());
        AccountDirs.Place place = accountDirs.of(runAs);
        TlsFiles tls = app.tls().isEmpty() ? null : TlsCopies.copy(app.tls().get(), place.tlsDir(), runAs);
        return new ChildCommands.Placement(place.ipcSocket(), place.aotDir(), runAs.orElse(null), tls);
    }

    /**
     * Keeps the AOT cache of every generation still here, of every app, and of the version each app
     * served last before its current one while that version's jars are unchanged on disk (a rollback
     * is a deploy too, and should not wait for a new training), and removes the rest of run_dir/aot
     * (and of the users' aot folders): at start (false: no training can be running yet) and whenever
     * a generation is forgotten. So go the TLS copies no generation serves any more: no old key lingers.
     */
    private void removeUnneededCaches(boolean trainingsMayRun) {
        TlsCopies.removeUnneeded(accountDirs.tlsDirs(), TlsCopies.fingerprints(apps.values().stream()
                .flatMap(app -> app.generations.stream()).map(generation -> generation.spec.tls())
                .filter(Objects::nonNull).toList()));
        aotCaches.ifPresent(caches -> caches.removeUnneeded(accountDirs.aotDirs(), apps.values().stream()
                .flatMap(app -> Stream.concat(
                        app.generations.stream().map(generation -> generation.spec.aotCache())
                                .filter(Objects::nonNull).map(AotCacheSpec::file),
                        app.removed ? Stream.<Path>empty() : Stream.ofNullable(app.rollbackCache)
                                .filter(cache -> cache.firstChanged().isEmpty()).map(AotCacheSpec::file)))
                .toList(), trainingsMayRun));
    }

    private void closeSocket(AppRuntime app, ListenSocket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
            log.info("app {}: closed {}", app.name, socket.address());
        } catch (IOException e) {
            log.warn("app {}: closing {}: {}", app.name, socket.address(), e.toString());
        }
    }

    private void cleanUp() {
        for (AppRuntime app : apps.values()) {
            app.generations.stream().map(g -> g.socket).distinct().filter(socket -> socket != app.socket)
                    .forEach(socket -> closeSocket(app, socket));
            closeSocket(app, app.socket);
        }
        admin.close();
        PidFile.remove(config.host().runDir());
        try {
            if (ipc != null) {
                ipc.close();
            }
        } catch (IOException e) {
            log.warn("closing the control socket: {}", e.toString());
        }
        if (accountDirs != null) {
            accountDirs.close();
            TlsCopies.removeUnneeded(accountDirs.tlsDirs(), Set.of()); // no copy of a key outlives the host
        }
        notifier.close();
        try {
            logs.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int processCount() {
        int count = 0;
        for (AppRuntime app : apps.values()) {
            for (Generation generation : app.generations) {
                count += (generation.zygote != null ? 1 : 0) + generation.workers.size();
            }
        }
        return count;
    }
}
