package io.zygotehost.zygote;

import io.zygotehost.api.Application;
import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.ipc.MasterLink;
import io.zygotehost.ipc.Message;
import io.zygotehost.ipc.MessageCodec;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.Posix;
import io.zygotehost.process.SpawnRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zygote of one app version: proves the version can start (the canary), then spawns its workers
 * when the master asks and reports their births and deaths. It serves no request itself. Its
 * workers talk to the master directly, so they go on serving if the zygote dies.
 */
public final class ZygoteMain {


    private static final Logger log = LoggerFactory.getLogger("zygote");
    private static final int EXIT_CANARY_FAILED = 78;

    private final GenerationSpec spec;
    /** The spec as every worker gets it in its environment: the same for all, written once. */
    private final String specJson;
    private final Posix posix = Posix.get();
    private final BlockingQueue<Message.SpawnWorker> spawnRequests = new LinkedBlockingQueue<>();
    /** pid -> worker id, for the exit reports. */
    private final Map<Integer, Integer> workers = new ConcurrentHashMap<>();
    private MasterLink link;
    private AotCache aotCache;

    private ZygoteMain(GenerationSpec spec) {
        this.spec = spec;
        this.specJson = spec.toJson();
    }

    public static void main(String[] args) throws Exception {
        new ZygoteMain(GenerationSpec.fromEnv()).run();
    }

    private void run() throws Exception {
        link = MasterLink.open(spec, new Message.Hello(Message.Role.ZYGOTE, spec.generation(), 0, posix.pid()));
        link.listen(this::onMessage, () -> {
            log.info("{} zygote: the master is gone; exiting", spec.label());
            System.exit(0);
        });
        // Connected first, as the master's user: a switch that fails is then told like a failed canary.
        Optional<String> cannotSwitch = AccountSwitch.apply(spec);
        if (cannotSwitch.isPresent()) {
            log.error("{}: {}", spec.label(), cannotSwitch.get());
            link.trySend(new Message.CanaryFailed(cannotSwitch.get()));
            System.exit(EXIT_CANARY_FAILED);
        }
        runCanary();
        aotCache = new AotCache(spec, posix);
        MessageCodec.warmUp();
        startReaper();
        aotCache.trainIfMissing(); // on this thread, the one that spawns
        spawnLoop();
    }

    /** Load the version and run its preload once: a version that cannot do this never gets a worker. */
    private void runCanary() throws IOException {
        long started = System.nanoTime();
        try {
            Application app = AppLoader.instantiate(spec.className());
            app.preload(new AppLoader.Context(spec.app(), spec.version(), 0, spec.args()));
        } catch (Throwable failure) {
            log.error("{} canary failed", spec.label(), failure);
            link.trySend(new Message.CanaryFailed(AppLoader.describe(failure)));
            System.exit(EXIT_CANARY_FAILED);
        }
        log.info("{} canary passed in {} ms", spec.label(), (System.nanoTime() - started) / 1_000_000);
        link.send(new Message.CanaryPassed());
    }

    private void onMessage(Message message) {
        if (message instanceof Message.SpawnWorker spawn) {
            spawnRequests.add(spawn);
        }
    }

    /** Spawns from this one long-lived thread, as posix_spawn and prctl's parent-death rules want. */
    private void spawnLoop() throws InterruptedException {
        while (true) {
            Message.SpawnWorker request = spawnRequests.take();
            int workerId = request.workerId();
            try {
                int pid = posix.spawn(workerSpawn(request));
                workers.put(pid, workerId);
                link.trySend(new Message.WorkerSpawned(workerId, pid));
            } catch (IOException e) {
                log.error("{}: cannot spawn a worker", spec.workerLabel(workerId), e);
                link.trySend(new Message.WorkerSpawnFailed(workerId, e.getMessage()));
            }
        }
    }

    private SpawnRequest workerSpawn(Message.SpawnWorker request) {
        int workerId = request.workerId();
        List<String> argv = aotCache.workerCommand();
        argv.set(0, "zygote-host: worker " + spec.workerLabel(workerId));
        Map<String, String> env = new HashMap<>(spec.workerEnv());
        env.put(GenerationSpec.ENV, specJson);
        env.put(GenerationSpec.WORKER_ID_ENV, Integer.toString(workerId));
        if (request.spare()) {
            env.put(GenerationSpec.SPARE_ENV, "1");
        }
        if (!request.accessLog().isEmpty()) {
            env.put(GenerationSpec.ACCESS_LOG_ENV, request.accessLog());
        }
        return new SpawnRequest(spec.workerCommand().getFirst(), argv, env,
                Map.of(GenerationSpec.LISTEN_FD, GenerationSpec.LISTEN_FD), Optional.of(Path.of(request.output())), false);
    }

    private void startReaper() {
        Thread reaper = new Thread(() -> {
            while (true) {
                Optional<Posix.Reaped> reaped = posix.awaitAnyChild();
                if (reaped.isEmpty()) {
                    sleep(100); // no child yet
                    continue;
                }
                if (aotCache.reaped(reaped.get().pid(), reaped.get().status())) {
                    continue; // the training run: not a worker, nothing for the master
                }
                Integer workerId = workers.remove(reaped.get().pid());
                ExitStatus status = reaped.get().status();
                link.trySend(new Message.WorkerExited(workerId == null ? 0 : workerId, reaped.get().pid(),
                        status instanceof ExitStatus.Exited(int code) ? code : -1,
                        status instanceof ExitStatus.Signaled(int signal) ? signal : 0));
            }
        }, "reaper");
        reaper.setDaemon(true);
        reaper.start();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
