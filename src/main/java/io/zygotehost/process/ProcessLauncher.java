package io.zygotehost.process;

import java.io.IOException;

/** The seam between our logic and the OS's process calls; tests replace it to make children exit or hang on cue. */
public interface ProcessLauncher {

    /** Starts a process and returns its pid. */
    int spawn(SpawnRequest request) throws IOException;

    /** Sends a signal; false when the process is already gone. */
    boolean signal(int pid, int signal);

    /** Reaps the given child if it has ended, without blocking; empty while it runs or if it is not our child. */
    java.util.Optional<ExitStatus> reap(int pid);
}
