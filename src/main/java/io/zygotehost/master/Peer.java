package io.zygotehost.master;

/** Who is at the other end of a control connection. */
sealed interface Peer {

    record Zygote(AppRuntime app, Generation generation, ZygoteProcess zygote) implements Peer {}

    record Worker(AppRuntime app, Generation generation, WorkerProcess worker) implements Peer {}

    /** {@code bin/zygote-host reload} or {@code status}, waiting for its answer. */
    record Cli() implements Peer {}
}
