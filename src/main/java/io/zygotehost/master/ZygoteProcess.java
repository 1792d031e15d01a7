package io.zygotehost.master;

import io.zygotehost.ipc.Connection;
import io.zygotehost.logs.ChildOutput;
import io.zygotehost.master.Phases.ZygotePhase;
import io.zygotehost.metrics.ProcessMemory;
import java.time.Instant;

/** The master's record of a running zygote. */
final class ZygoteProcess {
    final int pid;
    final Instant startedAt;
    /** Its stdout and stderr, on their way to APP.log. */
    final ChildOutput output;
    ZygotePhase phase = ZygotePhase.STARTING;
    /** When it entered its phase. */
    Instant since;
    /** Null until the zygote says hello. */
    Connection connection;
    /** At the last memory check (and when its canary passed); null until measured. */
    ProcessMemory memory;

    ZygoteProcess(int pid, Instant now, ChildOutput output) {
        this.pid = pid;
        this.output = output;
        this.startedAt = now;
        this.since = now;
    }

    PlannerView.ZygoteView view() {
        return new PlannerView.ZygoteView(phase, since, memory == null ? 0 : memory.pss());
    }
}
