package io.zygotehost.exec;

import io.zygotehost.exec.spare.Libc;
import io.zygotehost.process.ExitStatus;
import java.util.List;
import java.util.function.Consumer;

/**
 * A spare JVM: started for one state of the class path (a pool generation) and one start-up environment, ready once it
 * has written its ready byte on its control socket, and used for at most one run. Its state is guarded
 * by the {@link SparePool}'s lock.
 */
final class Spare {

    enum State { STARTING, READY, TAKEN, RETIRED }

    /** Its pid, which is also its process group: a terminal's signals go to the whole group. */
    final int pid;
    /** The server's end of the socketpair whose other end is the spare's fd 3. */
    final int controlFd;
    /** The variables it was started with (see {@link StartupEnvironment}). */
    final List<String> startupEnv;
    /** The pool's generation when it started (see SparePool). */
    final int generation;
    /** The AOT cache it started from, or null. */
    final String aotCache;

    State state = State.STARTING;
    /** Started for one run (a training), outside the pool's count. */
    boolean dedicated;
    /** Once taken: told how the run ended. */
    Consumer<ExitStatus> runEnded;

    Spare(int pid, int controlFd, List<String> startupEnv, int generation, String aotCache) {
        this.pid = pid;
        this.controlFd = controlFd;
        this.startupEnv = List.copyOf(startupEnv);
        this.generation = generation;
        this.aotCache = aotCache;
    }

    /**
     * Ends a spare nobody will take: it reads end-of-file on its control socket and exits quietly.
     * shutdown, not close: a watcher may still be blocked reading the ready byte, and shutdown wakes it.
     */
    void retire() {
        state = State.RETIRED;
        Libc.shutdown(controlFd);
    }

    @Override
    public String toString() {
        return "spare " + pid + (aotCache != null ? " (AOT cache)" : "");
    }
}
