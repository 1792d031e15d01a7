package io.zygotehost.master;

import io.zygotehost.ipc.Connection;
import io.zygotehost.master.Phases.ZygotePhase;
import java.time.Instant;

/** The master's record of a running zygote. */
final class ZygoteProcess {
    final int pid;
    ZygotePhase phase = ZygotePhase.STARTING;
    /** When it entered its phase. */
    Instant since;
    /** Null until the zygote says hello. */
    Connection connection;

    ZygoteProcess(int pid, Instant now) {
        this.pid = pid;
        this.since = now;
    }

    PlannerView.ZygoteView view() {
        return new PlannerView.ZygoteView(phase, since);
    }
}
