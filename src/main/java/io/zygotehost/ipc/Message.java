package io.zygotehost.ipc;

import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.HostStatus;

/**
 * Every message between the master, zygotes and workers: one JSON object per line on a unix socket
 * in {@code run_dir} (mode 0700), its kind in the {@code "type"} field ({@link MessageCodec}). The first message on a
 * connection is a {@link Hello}; the connection lives as long as the process: EOF on it means the
 * other side is gone (a child whose master vanished exits).
 *
 * <pre>
 * zygote -> master: Hello, CanaryPassed | CanaryFailed, WorkerSpawned | WorkerSpawnFailed, WorkerExited
 * master -> zygote: SpawnWorker
 * worker -> master: Hello, WorkerReady | WorkerFailed, Heartbeat
 * master -> worker: Drain, Activate (a spare)
 * cli    -> master: Hello, Reload | StatusRequest
 * master -> cli:    ReloadDone | StatusReport (then closes)
 * </pre>
 */
public sealed interface Message {

    enum Role { ZYGOTE, WORKER, CLI }

    /** Who is calling: a zygote (workerId 0) or a worker of the given generation, or the command line (0, 0). */
    record Hello(Role role, int generation, int workerId, int pid) implements Message {}

    /** The zygote loaded the version and ran its preload: the version can start workers. */
    record CanaryPassed() implements Message {}

    /** The version cannot start; the zygote exits after sending this. */
    record CanaryFailed(String reason) implements Message {}

    /**
     * @param spare     start it, build the app, warm it up, but do not accept until {@link Activate}
     * @param output    the pipe its stdout and stderr go to
     * @param accessLog the pipe it writes its access log to; empty when access_log is off
     */
    record SpawnWorker(int workerId, boolean spare, String output, String accessLog) implements Message {}

    record WorkerSpawned(int workerId, int pid) implements Message {}

    record WorkerSpawnFailed(int workerId, String reason) implements Message {}

    /** A worker of this zygote ended; exitCode is -1 when it was killed by {@code signal}. */
    record WorkerExited(int workerId, int pid, int exitCode, int signal) implements Message {}

    /** The worker built its handler and is accepting on the app's socket; a spare: it is ready to, when activated. */
    record WorkerReady() implements Message {}

    /** The app's preload or start threw; the worker exits after sending this. */
    record WorkerFailed(String reason) implements Message {}

    /**
     * Sent every second while every event loop of the worker answers: silence means a loop is stuck.
     *
     * @param requests every request the worker has answered or refused since it started, whatever its method or status
     * @param inFlight requests in a handler now
     * @param stuck    handlers still running past {@code request_timeout} (their clients got a 503): when they
     *                 hold every handler thread, the worker is recycled
     * @param traffic  its responses by status class and their latencies since it started: counts, a few
     *                 dozen numbers whatever the load
     */
    record Heartbeat(long requests, int inFlight, int stuck, Traffic traffic) implements Message {}

    /** A spare starts accepting on the app's socket, and says {@link WorkerReady} once it does. */
    record Activate() implements Message {}

    /** Stop accepting, answer what is in flight, exit. */
    record Drain() implements Message {}

    /** Re-read the config file and apply it; answered with {@link ReloadDone} once every deploy it started has ended. */
    record Reload() implements Message {}

    /** @param lines one per app: what the reload did to it */
    record ReloadDone(boolean ok, java.util.List<String> lines) implements Message {}

    /** What runs and how it does; answered with one {@link StatusReport}. */
    record StatusRequest() implements Message {}

    record StatusReport(HostStatus status) implements Message {}
}
