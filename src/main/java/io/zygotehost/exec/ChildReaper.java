package io.zygotehost.exec;

import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.Posix;
import io.zygotehost.process.SpawnRequest;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spawns the server's children and reaps them. One thread spawns, every spawn from it: a spare's
 * death signal (PR_SET_PDEATHSIG) fires when the thread that spawned it ends, so that thread lives as
 * long as the server. Another thread waits for any child to end and calls the handler given at its spawn.
 *
 * <p>No lock is held across a spawn (a JVM's posix_spawn takes milliseconds, and the end of a run must
 * not wait for it): a child that ends before its handler is registered is kept in {@link #unclaimed}
 * and handed to the handler when it comes.
 */
final class ChildReaper {

    private static final Logger log = LoggerFactory.getLogger("exec");

    private final Posix posix;
    private final BlockingQueue<Runnable> spawns = new LinkedBlockingQueue<>();
    // Guarded by this.
    private final Map<Integer, Consumer<ExitStatus>> handlers = new HashMap<>();
    private final Map<Integer, ExitStatus> unclaimed = new HashMap<>();
    private int children;

    ChildReaper(Posix posix) {
        this.posix = posix;
        Thread.ofPlatform().name("exec-spawner").daemon(true).start(this::spawnLoop);
        Thread.ofPlatform().name("exec-reaper").daemon(true).start(this::reapLoop);
    }

    /** What a spawn gives: the pid, or why there is none. */
    interface Spawned {
        void started(int pid);

        void failed(IOException e);
    }

    /** Spawns on the spawner thread; {@code onExit} runs on the reaper's when the child has ended. */
    void spawn(SpawnRequest request, Spawned spawned, Consumer<ExitStatus> onExit) {
        spawns.add(() -> {
            int pid;
            try {
                pid = posix.spawn(request);
            } catch (IOException e) {
                spawned.failed(e);
                return;
            }
            spawned.started(pid); // before onExit can run: the handler may need what started() recorded
            ExitStatus early;
            synchronized (this) {
                children++;
                notifyAll();
                early = unclaimed.remove(pid);
                if (early == null) {
                    handlers.put(pid, onExit);
                }
            }
            if (early != null) {
                onExit.accept(early);
            }
        });
    }

    private void spawnLoop() {
        while (true) {
            try {
                spawns.take().run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("a spawn failed", e);
            }
        }
    }

    private void reapLoop() {
        while (true) {
            synchronized (this) {
                while (children == 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            Optional<Posix.Reaped> reaped = posix.awaitAnyChild();
            if (reaped.isEmpty()) {
                continue; // interrupted, or the spawn that counted the child has not returned yet
            }
            int pid = reaped.get().pid();
            Consumer<ExitStatus> handler;
            synchronized (this) {
                children--;
                handler = handlers.remove(pid);
                if (handler == null) {
                    unclaimed.put(pid, reaped.get().status());
                }
            }
            if (handler != null) {
                try {
                    handler.accept(reaped.get().status());
                } catch (RuntimeException e) {
                    log.error("handling the exit of pid {} failed", pid, e);
                }
            }
        }
    }
}
