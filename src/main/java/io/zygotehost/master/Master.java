package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.config.Durations;
import io.zygotehost.config.HostConfig;
import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.ipc.IpcServer;
import io.zygotehost.ipc.Message;
import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.Phases.ZygotePhase;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.ListenSocket;
import io.zygotehost.process.PidFile;
import io.zygotehost.process.ProcessLauncher;
import io.zygotehost.process.Signals;
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
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

    private final HostConfig config;
    private final ProcessLauncher launcher;
    private final Clock clock;
    private final String hostClasspath;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<String, AppRuntime> apps = new LinkedHashMap<>();
    private final Map<Connection, Peer> peers = new HashMap<>();
    private final Planner planner = new Planner();
    private IpcServer ipc;
    private ChildCommands commands;
    private int nextGeneration = 1;
    /** Set by the first stop: past it, whatever still runs is killed. */
    private Instant stopDeadline;
    private boolean finished;

    public Master(HostConfig config, ProcessLauncher launcher, Clock clock, String hostClasspath) {
        this.config = config;
        this.launcher = launcher;
        this.clock = clock;
        this.hostClasspath = hostClasspath;
    }

    // ---- what other threads may call: they only queue ----

    public void requestStop(boolean immediate) {
        events.add(new Event.Stop(immediate));
    }

    public void requestReload() {
        events.add(new Event.Reload());
    }

    /**
     * Takes the run_dir (refusing it if another host runs from it) and opens the control socket.
     * Called before {@link #run}, on the caller's thread, so that a host that cannot start says why at once.
     */
    public void prepare() throws IOException {
        takeRunDir();
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
        for (AppRuntime app : apps.values()) {
            for (Generation generation : List.copyOf(app.generations)) {
                ZygoteProcess zygote = generation.zygote;
                if (zygote != null) {
                    launcher.reap(zygote.pid).ifPresent(status -> zygoteEnded(app, generation, zygote, status));
                }
                for (WorkerProcess worker : List.copyOf(generation.workers.values())) {
                    if (worker.pid > 0) {
                        launcher.reap(worker.pid).ifPresent(status -> workerEnded(app, generation, worker, Optional.of(status)));
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
                    generation.crashStreak = 0;
                }
            }
        }
    }

    private void reconcile() {
        Instant now = clock.instant();
        boolean stopping = stopDeadline != null;
        List<PlannerView.AppView> views = apps.values().stream().map(app -> app.view(stopping)).toList();
        for (Action action : planner.decide(views, now)) {
            AppRuntime app = apps.get(action.app());
            Generation generation = app.generations.stream().filter(g -> g.id == action.generation()).findFirst().orElseThrow();
            execute(action, app, generation, now);
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
            case Event.Reload() -> log.warn("reload is not supported yet: the running configuration stays");
            case Event.Connected(Connection connection, Message.Hello hello) -> connected(connection, hello);
            case Event.Received(Connection connection, Message message) -> {
                Peer peer = peers.get(connection);
                if (peer != null) {
                    received(peer, message);
                }
            }
            case Event.Disconnected(Connection connection) -> disconnected(connection);
        }
    }

    private void stop(boolean immediate) {
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
        for (AppRuntime app : apps.values()) {
            for (Generation generation : app.generations) {
                if (generation.id != hello.generation()) {
                    continue;
                }
                if (hello.role() == Message.Role.ZYGOTE && generation.zygote != null && generation.zygote.pid == hello.pid()) {
                    generation.zygote.connection = connection;
                    peers.put(connection, new Peer.Zygote(app, generation, generation.zygote));
                    return;
                }
                WorkerProcess worker = generation.workers.get(hello.workerId());
                if (hello.role() == Message.Role.WORKER && worker != null) {
                    worker.connection = connection;
                    worker.pid = hello.pid();
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

    private void received(Peer peer, Message message) {
        Instant now = clock.instant();
        switch (peer) {
            case Peer.Zygote(AppRuntime app, Generation generation, ZygoteProcess zygote) ->
                    fromZygote(app, generation, zygote, message, now);
            case Peer.Worker(AppRuntime app, Generation generation, WorkerProcess worker) ->
                    fromWorker(generation, worker, message, now);
        }
    }

    private void fromZygote(AppRuntime app, Generation generation, ZygoteProcess zygote, Message message, Instant now) {
        switch (message) {
            case Message.CanaryPassed() -> {
                zygote.phase = ZygotePhase.READY;
                zygote.since = now;
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
                    worker.pid = pid;
                }
                log.info("spawned worker {} (pid {})", generation.spec.workerLabel(workerId), pid);
            }
            case Message.WorkerSpawnFailed(int workerId, String reason) -> {
                log.error("cannot spawn worker {}: {}", generation.spec.workerLabel(workerId), reason);
                WorkerProcess worker = generation.workers.remove(workerId);
                if (worker != null) {
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

    private void fromWorker(Generation generation, WorkerProcess worker, Message message, Instant now) {
        switch (message) {
            case Message.WorkerReady() -> {
                if (worker.phase == WorkerPhase.SPAWNING) {
                    worker.enter(WorkerPhase.READY, now);
                }
                worker.readyAt = now;
                worker.lastHeartbeat = now;
                log.info("worker {} (pid {}) ready in {} ms", generation.spec.workerLabel(worker.id), worker.pid,
                        Duration.between(worker.spawnedAt, now).toMillis());
            }
            case Message.WorkerFailed(String reason) -> {
                generation.failure = reason;
                log.error("worker {} (pid {}) cannot start: {}", generation.spec.workerLabel(worker.id), worker.pid, reason);
            }
            case Message.Heartbeat(long requests, int inFlight) -> {
                worker.lastHeartbeat = now;
                worker.requests = requests;
                worker.inFlight = inFlight;
            }
            default -> log.warn("unexpected message from worker {}: {}", generation.spec.workerLabel(worker.id), message);
        }
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
            case null -> { }
        }
    }

    // ---- exits ----

    private void zygoteEnded(AppRuntime app, Generation generation, ZygoteProcess zygote, ExitStatus status) {
        Instant now = clock.instant();
        generation.zygote = null;
        if (zygote.connection != null) {
            peers.remove(zygote.connection);
            zygote.connection.close();
        }
        if (zygote.phase == ZygotePhase.STOPPING || generation.phase == GenerationPhase.FAILED || stopDeadline != null) {
            log.info("zygote {} (pid {}) exited: {}", generation.label(), zygote.pid, new ExitReason.Stopped(status).describe());
        } else {
            ExitReason reason = zygote.phase == ZygotePhase.STARTING
                    ? new ExitReason.FailedToBoot(status) : new ExitReason.Crashed(status);
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
        if (worker.connection != null) {
            peers.remove(worker.connection);
            worker.connection.close();
        }
        ExitReason reason;
        if (worker.killedBecause != null) {
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
        if (reason.isFailure() && stopDeadline == null) {
            generation.recordFailure(worker.spawnedAt, now);
        }
        String next = !reason.isFailure() || stopDeadline != null || generation != app.current ? ""
                : generation.crashStreak == 0 ? "; replacing it" : "; replacing it in "
                        + Duration.between(now, generation.notBefore).toMillis() + " ms (crash streak " + generation.crashStreak + ")";
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

    /** An old generation with no process left is gone for good. */
    private void forgetIfEmpty(AppRuntime app, Generation generation) {
        if (generation != app.current && generation.zygote == null && generation.workers.isEmpty()) {
            app.generations.remove(generation);
        }
    }

    // ---- actions ----

    private void execute(Action action, AppRuntime app, Generation generation, Instant now) {
        switch (action) {
            case Action.StartZygote a -> startZygote(app, generation, now);
            case Action.SpawnWorker a -> spawnWorker(app, generation, now);
            case Action.DrainWorker a -> {
                WorkerProcess worker = generation.workers.get(a.workerId());
                worker.stopRequested = true;
                worker.enter(WorkerPhase.DRAINING, now);
                if (worker.connection == null || !worker.connection.trySend(new Message.Drain())) {
                    launcher.signal(worker.pid, Signals.SIGTERM);
                }
                log.info("draining worker {} (pid {}): {}", generation.spec.workerLabel(worker.id), worker.pid, a.why());
            }
            case Action.KillWorker a -> killWorker(app, generation, generation.workers.get(a.workerId()), a.why(), now);
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
        Path logFile = config.host().logDir().resolve(app.name + ".log");
        try {
            int pid = launcher.spawn(commands.zygote(generation.spec, app.config, generation.release, app.socket.fd(), logFile));
            generation.zygote = new ZygoteProcess(pid, now);
            log.info("started zygote {} (pid {}) from {}", generation.label(), pid, generation.release.resolved());
        } catch (IOException e) {
            generation.recordFailure(now, now);
            log.error("app {}: cannot start zygote {}: {}", app.name, generation.label(), e.getMessage());
        }
    }

    private void spawnWorker(AppRuntime app, Generation generation, Instant now) {
        WorkerProcess worker = new WorkerProcess(app.nextWorkerId++, now);
        generation.workers.put(worker.id, worker);
        Connection zygote = generation.zygote.connection;
        if (zygote == null || !zygote.trySend(new Message.SpawnWorker(worker.id))) {
            generation.workers.remove(worker.id); // the zygote is going; the next one will spawn it
        }
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
            apps.values().forEach(this::startApp);
            while (!finished) {
                drainEvents();
                reapChildren();
                forgiveCrashes();
                reconcile();
                finishStopping();
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
        Files.createDirectories(config.host().logDir());
        Path socket = runDir.resolve("ipc.sock");
        ipc = IpcServer.open(socket, new IpcServer.Listener() {
            public void connected(Connection connection, Message.Hello hello) {
                events.add(new Event.Connected(connection, hello));
            }

            public void received(Connection connection, Message message) {
                events.add(new Event.Received(connection, message));
            }

            public void disconnected(Connection connection) {
                events.add(new Event.Disconnected(connection));
            }
        });
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("ZYGOTE_HOST_"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        commands = new ChildCommands(java, hostClasspath, socket, env);
        for (AppConfig app : config.apps().values()) {
            apps.put(app.name(), new AppRuntime(app));
        }
    }

    /** Opens the app's socket and resolves its release; a failure here stops this app only. */
    private void startApp(AppRuntime app) {
        try {
            app.socket = ListenSocket.open(app.config.listen().toSocketAddress());
            Release release = Release.resolve(app.config);
            int id = nextGeneration++;
            GenerationSpec spec = commands.spec(app.config, release, id);
            Generation generation = new Generation(id, release, spec);
            app.generations.add(generation);
            app.current = generation;
            log.info("app {}: {} on {}, {} workers", app.name, spec.label(), app.config.listen(), app.config.workers());
        } catch (IOException e) {
            app.problem = e.getMessage();
            log.error("app {}: {}; the other apps are served", app.name, e.getMessage());
        }
    }

    private void cleanUp() {
        for (AppRuntime app : apps.values()) {
            if (app.socket != null) {
                try {
                    app.socket.close();
                } catch (IOException e) {
                    log.warn("closing the socket of app {}: {}", app.name, e.toString());
                }
            }
        }
        PidFile.remove(config.host().runDir());
        try {
            if (ipc != null) {
                ipc.close();
            }
        } catch (IOException e) {
            log.warn("closing the control socket: {}", e.toString());
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

    /** For tests and status: the pids of every zygote and worker the master knows. */
    List<Integer> pids() {
        List<Integer> pids = new ArrayList<>();
        apps.values().forEach(app -> app.generations.forEach(g -> {
            if (g.zygote != null) {
                pids.add(g.zygote.pid);
            }
            g.workers.values().forEach(w -> pids.add(w.pid));
        }));
        return pids;
    }
}
