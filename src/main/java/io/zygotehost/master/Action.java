package io.zygotehost.master;

/** What the planner asks the master's shell to do. Side effects happen only there. */
sealed interface Action {

    String app();

    int generation();

    record StartZygote(String app, int generation) implements Action {}

    /** @param spare a spare: started and warmed, accepting only once activated */
    record SpawnWorker(String app, int generation, boolean spare) implements Action {
        SpawnWorker(String app, int generation) {
            this(app, generation, false);
        }
    }

    /** A spare starts accepting: a new worker in milliseconds. */
    record ActivateWorker(String app, int generation, int workerId) implements Action {}

    record DrainWorker(String app, int generation, int workerId, String why) implements Action {}

    /** @param unready it never became ready in time: for a deploy's new generation, the version is broken */
    record KillWorker(String app, int generation, int workerId, String why, boolean unready) implements Action {}

    /** Its heartbeat stopped: SIGQUIT, so its thread dump shows where it hangs, before the kill. */
    record QuitWorker(String app, int generation, int workerId, String why) implements Action {}

    /**
     * The memory budget holds a different number of workers than the master last said: log it.
     *
     * @param cap how many workers the app runs now (at most its {@code workers})
     */
    record AnnounceCap(String app, int generation, int cap, String why) implements Action {}

    record StopZygote(String app, int generation) implements Action {}

    /** The generation cannot start (its canary did not finish in time): never spawn for it. */
    record AbandonGeneration(String app, int generation, String why) implements Action {}
}
