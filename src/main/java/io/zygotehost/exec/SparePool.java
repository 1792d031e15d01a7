package io.zygotehost.exec;

import io.zygotehost.exec.spare.Libc;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.SpawnRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spares of one class path. The rule: {@code target} spares are ready or starting for the start-up
 * environment of the last run, plus one for every run waiting; a spare that is for another environment,
 * or that started before the class path changed, is retired, never handed out.
 *
 * <p>A taken spare is replaced when its run ends, not when it is taken: a JVM starting beside the run would
 * take the cores from it (2 here); but one spare at least is always ready or starting for the next run, and
 * a run that waits for a spare has one started at once.
 *
 * <p>A spare that dies before it is ready counts as a failure; {@link #BROKEN_AFTER} in a row and the pool
 * is broken: waiting runs and later ones get the reason, and the server stops (a server that cannot start
 * JVMs helps nobody; the next run starts a new one, which tries again).
 */
final class SparePool {

    private static final Logger log = LoggerFactory.getLogger("exec");
    static final int BROKEN_AFTER = 3;

    private final ChildReaper reaper;
    private final SpareCommand command;
    private final String classPathValue;
    private final int target;
    private final String logFile;
    private final Runnable onBroken;

    // Guarded by this.
    private List<String> startupEnv;
    private ExecClassPath classPath;
    /** Counts the changes of the class path or the spare's jar: a spare of an older generation is never handed out. */
    private int generation;
    private final Deque<Spare> ready = new ArrayDeque<>();
    private final Map<Integer, Spare> live = new HashMap<>();
    private int starting;
    private int waiting;
    private int failuresInARow;
    private String broken;
    private boolean closed;

    SparePool(ChildReaper reaper, SpareCommand command, String classPath, int target, String logFile, Runnable onBroken) {
        this.reaper = reaper;
        this.command = command;
        this.classPathValue = classPath;
        this.target = target;
        this.logFile = logFile;
        this.onBroken = onBroken;
        this.classPath = ExecClassPath.of(classPath);
    }

    /**
     * A ready spare for this start-up environment, taken: {@code runEnded} hears how its run ends. Waits for
     * one to start when none is ready.
     */
    Spare take(List<String> env, Duration timeout, Consumer<ExitStatus> runEnded) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            retarget(env);
            // Counted from here, but seen by refill() only while it waits (this lock is held until then): a run
            // that takes a ready spare is no waiting run, and starts no replacement beside itself (measured: a
            // 350 ms run took 5 to 15% longer when it did).
            waiting++;
            try {
                while (true) {
                    Spare spare = pollReady(runEnded);
                    if (spare != null) {
                        return spare;
                    }
                    refill();
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException("no spare JVM was ready within " + timeout.toSeconds() + " s (" + starting
                                + " starting; is the machine overloaded?); see " + logFile);
                    }
                    wait(Math.max(1, left / 1_000_000));
                }
            } finally {
                waiting--;
                refill();
            }
        }
    }

    /**
     * A ready spare for a run, or none when none is ready (the run then starts cold, as java would, rather than
     * wait 300 ms or more for a spare's start); either way the pool goes on filling up.
     */
    Optional<Spare> takeReady(List<String> env, Consumer<ExitStatus> runEnded) throws IOException {
        synchronized (this) {
            retarget(env);
            Spare spare = pollReady(runEnded);
            refill();
            return Optional.ofNullable(spare);
        }
    }

    /** Under the lock: the first ready spare, taken for a run, or null when none is ready. */
    private Spare pollReady(Consumer<ExitStatus> runEnded) throws IOException {
        if (broken != null) {
            throw new IOException(broken);
        }
        if (closed) {
            throw new Stopping();
        }
        Spare spare = ready.poll();
        if (spare != null) {
            spare.state = Spare.State.TAKEN;
            spare.runEnded = runEnded;
        }
        return spare;
    }

    /**
     * A spare started for one run only, with its own command (a training run); not counted in the pool.
     * Completes when it is ready, or exceptionally when it dies first.
     */
    CompletableFuture<Spare> startDedicated(SpawnRequest request, List<String> env, Consumer<ExitStatus> runEnded) {
        CompletableFuture<Spare> ready = new CompletableFuture<>();
        spawn(request, env, null, ready, runEnded);
        return ready;
    }

    /** The server is stopping: the run goes to the next server (the client starts one when it finds none). */
    static final class Stopping extends IOException {
        Stopping() {
            super("the exec server is stopping");
        }
    }

    /** The environment or the class path changed: what was started for the old ones is retired. */
    private void retarget(List<String> env) {
        boolean classPathChanged = !classPath.unchanged();
        boolean spareJarChanged = !command.spareJarUnchanged();
        if (!env.equals(startupEnv) || classPathChanged || spareJarChanged) {
            if (classPathChanged || spareJarChanged) {
                classPath = ExecClassPath.of(classPathValue);
                generation++;
                log.info("{} changed: {} idle spare(s) retired", classPathChanged ? "the class path" : "the spares' own jar",
                        ready.size());
            } else if (startupEnv != null) {
                log.info("a run with other start-up variables ({}): {} idle spare(s) retired", env, ready.size());
            }
            startupEnv = env;
            ready.forEach(SparePool::retireReady);
            ready.clear();
        }
    }

    /** Under the lock: starts what the rule above wants. */
    private void refill() {
        long running = live.values().stream().filter(spare -> spare.state == Spare.State.TAKEN && !spare.dedicated).count();
        long wanted = Math.max(waiting + 1, target + waiting - running);
        while (!closed && broken == null && startupEnv != null && ready.size() + starting < wanted) {
            SpareCommand.Launch launch = command.spare(classPath, startupEnv);
            spawn(launch.request(), startupEnv, launch.aotCache(), null, null);
        }
    }

    /** Under the lock. {@code dedicated}: for one waiter, not the pool. */
    private void spawn(SpawnRequest request, List<String> env, String aotCache, CompletableFuture<Spare> dedicated,
            Consumer<ExitStatus> runEnded) {
        int[] pair;
        try {
            pair = Libc.socketPair();
        } catch (IOException e) {
            fail("cannot make a control socket for a spare: " + e.getMessage());
            if (dedicated != null) {
                dedicated.completeExceptionally(e);
            }
            return;
        }
        int startedIn = generation;
        if (dedicated == null) {
            starting++;
        }
        SpawnRequest withControl = new SpawnRequest(request.executable(), request.argv(), request.env(),
                Map.of(io.zygotehost.exec.spare.SpareMain.CONTROL_FD, pair[1]), request.output(), request.ownProcessGroup());
        Spare[] spawned = new Spare[1];
        reaper.spawn(withControl, new ChildReaper.Spawned() {
            @Override
            public void started(int pid) {
                Libc.close(pair[1]);
                Spare spare = new Spare(pid, pair[0], env, startedIn, aotCache);
                synchronized (SparePool.this) {
                    spawned[0] = spare;
                    live.put(pid, spare);
                    if (dedicated != null) {
                        spare.state = Spare.State.TAKEN;
                        spare.dedicated = true;
                        spare.runEnded = runEnded;
                    }
                }
                Thread.ofPlatform().name("exec-ready-" + pid).daemon(true).start(() -> awaitReady(spare, dedicated));
            }

            @Override
            public void failed(IOException e) {
                Libc.close(pair[0]);
                Libc.close(pair[1]);
                synchronized (SparePool.this) {
                    if (dedicated == null) {
                        starting--;
                    }
                    fail("cannot start a spare JVM: " + e.getMessage());
                }
                if (dedicated != null) {
                    dedicated.completeExceptionally(e);
                }
            }
        }, status -> exited(spawned, status));
    }

    /** On the spare's own thread: its one ready byte, or end-of-file when it died or was retired first. */
    private void awaitReady(Spare spare, CompletableFuture<Spare> dedicated) {
        byte[] one = new byte[1];
        boolean isReady;
        try {
            isReady = Libc.read(spare.controlFd, one, 0, 1) == 1 && one[0] == 'R';
        } catch (IOException e) {
            isReady = false;
        }
        synchronized (this) {
            if (dedicated == null) {
                starting--;
            }
            if (!isReady || spare.state == Spare.State.RETIRED) {
                if (spare.state == Spare.State.RETIRED) {
                    Libc.close(spare.controlFd);
                }
                // its death, reported by the reaper, says why
            } else if (dedicated != null) {
                failuresInARow = 0;
                dedicated.complete(spare);
                return;
            } else if (closed || !spare.startupEnv.equals(startupEnv) || spare.generation != generation) {
                retireReady(spare);
            } else {
                failuresInARow = 0;
                spare.state = Spare.State.READY;
                ready.add(spare);
                log.debug("{} ready", spare);
            }
            notifyAll();
            refill();
        }
        if (!isReady && dedicated != null) {
            dedicated.completeExceptionally(new IOException("the spare JVM (pid " + spare.pid + ") died before it was ready; see " + logFile));
        }
    }

    /**
     * From the reaper: a spare ended, after its run or before it had one. The client of a run hears of it
     * first; the replacement (a JVM start, which takes the cores for a while) comes after.
     */
    private void exited(Spare[] spawned, ExitStatus status) {
        Spare spare;
        synchronized (this) {
            spare = spawned[0];
        }
        if (spare == null) {
            return; // cannot be: the pid is known before the reaper can hand its exit to anyone
        }
        if (spare.state == Spare.State.TAKEN) {
            spare.runEnded.accept(status); // set once, under the lock, before the spare got its run
        }
        synchronized (this) {
            live.remove(spare.pid);
            switch (spare.state) {
                case TAKEN -> { }
                case READY -> {
                    ready.remove(spare);
                    Libc.close(spare.controlFd);
                    log.warn("{} died while waiting: {}", spare, status);
                }
                case STARTING -> {
                    failuresInARow++;
                    log.warn("{} died before it was ready: {} (its output is above in this log)", spare, status);
                    if (failuresInARow >= BROKEN_AFTER) {
                        fail("the spare JVMs die before they are ready (" + failuresInARow + " in a row, the last: " + status
                                + "); see " + logFile);
                    }
                }
                case RETIRED -> { }
            }
            refill();
            notifyAll();
        }
    }

    /** A spare no thread reads from any more: its socket can be closed at once. */
    private static void retireReady(Spare spare) {
        spare.retire();
        Libc.close(spare.controlFd);
    }

    /** Under the lock. */
    private void fail(String reason) {
        if (broken == null) {
            broken = reason;
            log.error(reason);
            notifyAll();
            Thread.ofPlatform().name("exec-broken").daemon(true).start(onBroken);
        }
    }

    /**
     * Replaces the idle spares by new ones, started from an AOT cache that did not exist when they started,
     * for {@code env} (a training's start-up variables: its class path's next runs will have them).
     */
    synchronized void renew(List<String> env) {
        retarget(env);
        ready.forEach(SparePool::retireReady);
        ready.clear();
        refill();
    }

    /** Retires every spare not running a program; no new ones start. */
    synchronized void close() {
        closed = true;
        for (Spare spare : live.values()) {
            if (spare.state == Spare.State.READY) {
                retireReady(spare);
            } else if (spare.state == Spare.State.STARTING) {
                spare.retire(); // its watcher closes the socket
            }
        }
        ready.clear();
        notifyAll();
    }

    /** How many programs run now (for the idle check). */
    synchronized int running() {
        return (int) live.values().stream().filter(spare -> spare.state == Spare.State.TAKEN).count();
    }
}
