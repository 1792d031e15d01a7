package io.zygotehost.master;

/** The states the master tracks, as the planner sees them. */
final class Phases {
    private Phases() {}

    /** A generation is one (app, release, settings) combination, served by one zygote at a time. */
    enum GenerationPhase {
        /** Its zygote has not finished the canary yet. */
        STARTING,
        /** The canary passed: workers may be spawned. Stays so if the zygote later dies and is replaced. */
        READY,
        /** The canary failed or timed out: no worker is ever spawned for it. */
        FAILED
    }

    enum ZygotePhase { STARTING, READY, STOPPING }

    enum WorkerPhase {
        /** Asked of the zygote (or a spare activated); not yet reported ready. */
        SPAWNING,
        /** Asked of the zygote as a spare; not yet built. */
        SPARE_STARTING,
        /** App built and warm, not accepting: activated in milliseconds when a worker is needed. Outside max_workers. */
        SPARE,
        /** Accepting and serving. */
        READY,
        /** Told to drain: no longer accepting, finishing in-flight requests. */
        DRAINING,
        /** Its heartbeat stopped: we sent SIGQUIT (the JVM prints its threads into the app's log); SIGKILL follows. */
        HUNG,
        /** We sent SIGKILL; waiting for its exit. */
        KILLED,
        /**
         * Its connection closed unasked: it is dying, its exit status on its way. It keeps its slot
         * until the status comes (milliseconds), so the replacement waits for the crash backoff.
         */
        GONE;

        /** Counts toward the app's worker count: serving, about to, or dying unasked. */
        boolean isLive() {
            return this == SPAWNING || this == READY || this == GONE;
        }

        /** Kept aside, not (yet) asked to serve. */
        boolean isSpare() {
            return this == SPARE_STARTING || this == SPARE;
        }

        /** Still starting, as a worker or a spare: not measured as a whole yet. */
        boolean isStarting() {
            return this == SPAWNING || this == SPARE_STARTING;
        }
    }
}
