package io.zygotehost.worker;

import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.ipc.AotCacheSpec;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.zygote.AppLoader;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AOT training run of a generation: a worker's JVM, started once by the zygote with
 * {@code -XX:AOTCacheOutput}, that never serves anyone. It builds the app as a worker does, serves
 * the app's warm-up requests to itself through a real loopback socket (so the epoll transport, the
 * HTTP codec and the app's hot path are loaded, linked and profiled, and land in the cache), and
 * exits 0: the JVM then writes the cache. It does not talk to the master and has no fd 3, so it
 * can neither be taken for a worker nor accept a user's connection.
 */
final class TrainingRun {

    private static final Logger log = LoggerFactory.getLogger("worker");
    private static final int EXIT_FAILED = 70;
    /** The zygote that started us has gone (its death re-parents us): a cache nobody will rename is not worth writing. */
    private static final long PARENT_CHECK_MILLIS = 500;

    private TrainingRun() {}

    static boolean requested() {
        return System.getenv(GenerationSpec.AOT_TRAINING_ENV) != null;
    }

    static void run(GenerationSpec spec) {
        watchParent(Long.parseLong(System.getenv(GenerationSpec.AOT_TRAINING_ENV)));
        AotCacheSpec cache = spec.aotCache();
        HttpServer server = new HttpServer();
        try {
            Application app = AppLoader.instantiate(spec.className());
            AppLoader.Context context = new AppLoader.Context(spec.app(), spec.version(), 0, spec.args());
            app.preload(context);
            HttpHandler handler = app.start(context);
            server.prepare(handler, WorkerMain.handlerPool(spec), new WorkerStats(), () -> false, ConnectionLimits.of(spec),
                    WorkerTls.of(spec.tls()));
            long started = System.nanoTime();
            Map<Integer, Integer> statuses = server.serveToItself(cache.warmup().path(), cache.trainingRequests());
            log.info("{} AOT training: {} warm-up requests to {} in {} ms, answered {} (status: count)", spec.label(),
                    cache.trainingRequests(), cache.warmup().path(), (System.nanoTime() - started) / 1_000_000, statuses);
            app.stop();
        } catch (Throwable failure) {
            log.error("{}: the AOT training failed", spec.label(), failure);
            Runtime.getRuntime().halt(EXIT_FAILED); // halt: no cache is written for a run that did not get through
        } finally {
            server.shutdown();
        }
        System.exit(0); // the JVM writes the cache on its way out
    }

    private static void watchParent(long zygote) {
        Thread.ofPlatform().name("parent-watch").daemon(true).start(() -> {
            while (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == zygote) {
                try {
                    Thread.sleep(PARENT_CHECK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            log.warn("the zygote (pid {}) that started this AOT training is gone: stopping without a cache", zygote);
            Runtime.getRuntime().halt(EXIT_FAILED);
        });
    }
}
