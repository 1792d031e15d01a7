package io.zygotehost.worker;

import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.ipc.MasterLink;
import io.zygotehost.ipc.Message;
import io.zygotehost.ipc.MessageCodec;
import io.zygotehost.zygote.AppLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker: one JVM serving one app version on the app's shared listening socket, until the master
 * tells it to drain or goes away.
 */
public final class WorkerMain {


    private static final Logger log = LoggerFactory.getLogger("worker");
    /** A worker whose master vanished answers what is in flight for this long, then exits. */
    private static final Duration ORPHAN_GRACE = Duration.ofSeconds(2);
    private static final int EXIT_APP_FAILED = 70;

    private final GenerationSpec spec;
    private final int workerId;
    /** Started by the zygote as a spare: it accepts only once activated. Touched by the control connection's reader. */
    private volatile boolean spare;
    /** Null when access_log is off. */
    private final AccessLog accessLog;
    private final WorkerStats stats;
    private final HttpServer server = new HttpServer();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Heartbeats leave from this thread, so a slow master never blocks an event loop. */
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(daemon("heartbeat-sender"));
    private Application app;
    private MasterLink link;

    private WorkerMain(GenerationSpec spec, int workerId, boolean spare, AccessLog accessLog) {
        this.spec = spec;
        this.workerId = workerId;
        this.spare = spare;
        this.accessLog = accessLog;
        this.stats = accessLog == null ? new WorkerStats() : new WorkerStats(accessLog);
    }

    public static void main(String[] args) throws Exception {
        GenerationSpec spec = GenerationSpec.fromEnv();
        if (TrainingRun.requested()) {
            TrainingRun.run(spec);
            return;
        }
        int workerId = Integer.parseInt(System.getenv(GenerationSpec.WORKER_ID_ENV));
        String accessLogPipe = System.getenv(GenerationSpec.ACCESS_LOG_ENV);
        AccessLog accessLog = accessLogPipe == null ? null : AccessLog.open(Path.of(accessLogPipe));
        new WorkerMain(spec, workerId, "1".equals(System.getenv(GenerationSpec.SPARE_ENV)), accessLog).run();
    }

    private void run() throws Exception {
        int pid = (int) ProcessHandle.current().pid();
        link = MasterLink.open(spec, new Message.Hello(Message.Role.WORKER, spec.generation(), workerId, pid));
        link.listen(this::onMessage, this::onMasterGone);

        HttpHandler handler;
        try {
            app = AppLoader.instantiate(spec.className());
            AppLoader.Context context = new AppLoader.Context(spec.app(), spec.version(), workerId, spec.args());
            app.preload(context);
            handler = app.start(context);
        } catch (Throwable failure) {
            log.error("{} cannot start", spec.workerLabel(workerId), failure);
            link.trySend(new Message.WorkerFailed(AppLoader.describe(failure)));
            System.exit(EXIT_APP_FAILED);
            return;
        }
        ExecutorService pool = handlerPool(spec);
        ConnectionLimits limits = ConnectionLimits.of(spec);
        // One instance for the warm-up's pipeline and the real one: the JIT profiles the call with the class real traffic brings.
        BooleanSupplier isDraining = draining::get;
        // Spares too: a spare is activated already warm.
        new SelfWarmup(spec.warmup(), Duration.ofMillis(spec.warmupLimitMillis()), spec.workerLabel(workerId))
                .run(handler, pool, isDraining, limits);
        server.prepare(handler, pool, stats, isDraining, limits, tls());
        if (spare) {
            warmSpare();
            log.info("{} ready as a spare: accepting once activated", spec.workerLabel(workerId));
        } else {
            server.accept(GenerationSpec.LISTEN_FD);
            log.info("{} serving", spec.workerLabel(workerId));
        }
        link.send(new Message.WorkerReady());
        LoopHeartbeat heartbeat = new LoopHeartbeat(server.eventLoops(), () -> link.trySend(heartbeat()));
        sender.scheduleAtFixedRate(heartbeat::beat, 0, 1, TimeUnit.SECONDS);
        // The main thread stays until exit(): a worker's life is its control connection and its drain, not
        // whether an event loop's thread happens to run yet (Netty starts one with its first task).
        new CountDownLatch(1).await();
    }

    /**
     * A spare has the time to warm what the in-process warm-up cannot reach, the socket path (epoll
     * reads and writes, a real connection's buffers) and the registration its activation will do:
     * it serves its warm-up requests once more, to itself, on a private loopback port.
     */
    private void warmSpare() {
        server.warmAcceptPath();
        MessageCodec.warmUp();
        if (spec.warmup().requests() == 0) {
            return;
        }
        try {
            Map<Integer, Integer> statuses = server.serveToItself(spec.warmup().path(), spec.warmup().requests());
            log.info("{}: {} warm-up requests over loopback, answered {} (status: count)", spec.workerLabel(workerId),
                    spec.warmup().requests(), statuses);
        } catch (IOException e) {
            log.warn("{}: the spare's warm-up over loopback failed: {}", spec.workerLabel(workerId), e.toString());
        }
    }

    /** The generation's TLS, or null; a worker that cannot read its files says so to the master and exits. */
    private WorkerTls tls() {
        try {
            return WorkerTls.of(spec.tls());
        } catch (IOException | RuntimeException e) {
            log.error("{} cannot serve TLS", spec.workerLabel(workerId), e);
            link.trySend(new Message.WorkerFailed("cannot serve TLS: " + e.getMessage()));
            System.exit(EXIT_APP_FAILED);
            return null;
        }
    }

    private Message.Heartbeat heartbeat() {
        return new Message.Heartbeat(stats.requests.sum(), stats.inFlight.get(), stats.stuck.get(), stats.traffic.snapshot());
    }

    private void onMessage(Message message) {
        // instanceof, not a pattern switch: a JVM's first pattern switch generates its dispatch class (the class-file
        // API, 5 to 7 ms measured with -Xlog:class+load), and a spare's first message is its activation.
        if (message instanceof Message.Drain) {
            drain(Duration.ofDays(1)); // the master bounds a drain with graceful_timeout and kills past it
        } else if (message instanceof Message.Activate) {
            activate();
        } else {
            log.warn("{}: unexpected message {}", spec.workerLabel(workerId), message);
        }
    }

    /** A spare becomes a serving worker: its app is built and warm, so this takes milliseconds. */
    private void activate() {
        if (!spare || draining.get()) {
            return;
        }
        try {
            server.accept(GenerationSpec.LISTEN_FD);
            spare = false;
            log.info("{} activated: serving", spec.workerLabel(workerId));
            link.trySend(new Message.WorkerReady());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onMasterGone() {
        log.warn("{}: the master is gone; exiting", spec.workerLabel(workerId));
        drain(ORPHAN_GRACE);
    }

    /** Stop accepting; exit once every connection has closed (after a Connection: close response or the idle timeout). */
    private void drain(Duration limit) {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        server.stopAccepting();
        Thread watcher = new Thread(() -> {
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline && (server.openConnections() > 0 || stats.inFlight.get() > 0)) {
                sleep(50);
            }
            exit(0);
        }, "drain");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void exit(int code) {
        try {
            if (app != null) {
                app.stop();
            }
        } catch (Throwable failure) {
            log.warn("{}: the app's stop() failed", spec.workerLabel(workerId), failure);
        }
        server.shutdown();
        if (accessLog != null) {
            accessLog.close();
        }
        // The last counts, so the master's totals hold the requests answered since the last beat.
        link.trySend(heartbeat());
        log.info("{} exiting after {} requests", spec.workerLabel(workerId), stats.requests.sum());
        System.exit(code);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The handler threads of {@code threads:}; null when handlers run on the event loop. */
    static ExecutorService handlerPool(GenerationSpec spec) {
        return spec.threads() == 0 ? null : Executors.newFixedThreadPool(spec.threads(), daemon("handler"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return Thread.ofPlatform().name(name + "-", 1).daemon(true).factory();
    }
}
