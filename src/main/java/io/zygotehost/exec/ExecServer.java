package io.zygotehost.exec;

import io.zygotehost.config.Durations;
import io.zygotehost.exec.spare.Libc;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.Posix;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code zygote-host exec}'s server: one per class path and user, started by the first client that finds
 * none (src/main/c/zygote-exec.c), found through {@code DIR/KEY.sock}, gone after {@code --max-idle} without
 * a run. It keeps spare JVMs started ({@link SparePool}) and hands each run one of them with the client's
 * descriptors ({@link ClientSession}).
 *
 * <p>The rule of the socket: only the server holding {@code DIR/KEY.lock} may remove or create it, so a
 * socket whose lock nobody holds is a dead server's, removed by the next server, and a live server's socket
 * is never removed by anyone else. (fcntl locks end with their process, SIGKILL included.)
 */
public final class ExecServer {

    private static final Logger log = LoggerFactory.getLogger("exec");
    /** How long a new server waits for the lock of one that is exiting (it removes its socket first). */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    private static final int EXIT_USAGE = 2;

    private final ExecOptions options;
    private final Posix posix = Posix.get();
    private final SpareCommand command;
    private final SparePool pool;
    private final String javaBin;
    /**
     * The threads that accept and serve clients (acceptAndServe), kept for the next runs: a thread started per
     * connection took 0.25 to 3 ms to run, on the path of every run. Daemon threads: System.exit ends the server.
     */
    private final ExecutorService sessionThreads =
            Executors.newCachedThreadPool(Thread.ofPlatform().name("exec-client-", 1).daemon(true).factory());
    private int listenFd = -1;
    // Guarded by this.
    private int sessions;
    private long lastActivity = System.nanoTime();
    private boolean closing;
    private boolean training;

    private ExecServer(ExecOptions options, Path hostJar) {
        this.options = options;
        this.javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.command = new SpareCommand(javaBin, SpareCommand.spareJarBeside(hostJar), options.aotDir(), options.logFile());
        this.pool = new SparePool(new ChildReaper(posix), command, options.classPath(), options.spares(),
                options.logFile().toString(), () -> stop(1, "the spare JVMs cannot start"));
    }

    public static void main(String[] args) throws Exception {
        ExecOptions options;
        try {
            options = ExecOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("zygote-host exec server: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        Optional<FileChannel> lock = lock(options);
        if (lock.isEmpty()) {
            log.info("another exec server serves {}: this one leaves it be", options.socket());
            return;
        }
        Path hostJar = Path.of(ExecServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        new ExecServer(options, hostJar).serve();
    }

    /**
     * The server's lock, held until the process ends, with the server's pid in it (for people and tests);
     * empty when another live server holds it. A server
     * that holds it but no longer answers is leaving (it removes its socket before it exits): wait for it.
     */
    private static Optional<FileChannel> lock(ExecOptions options) throws IOException, InterruptedException {
        FileChannel channel = FileChannel.open(options.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                channel.truncate(0);
                channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                return Optional.of(channel);
            }
            if (answers(options.socket()) || System.nanoTime() > deadline) {
                channel.close();
                return Optional.empty();
            }
            Thread.sleep(50);
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void serve() throws IOException, InterruptedException {
        Files.createDirectories(options.aotDir());
        Files.setPosixFilePermissions(options.aotDir(), PosixFilePermissions.fromString("rwx------"));
        removeAbandonedTrainingFiles();
        if (Files.deleteIfExists(options.socket())) {
            log.info("removed the socket of a dead exec server: {}", options.socket());
        }
        listenFd = Libc.listenUnix(options.socket(), 128);
        Files.setPosixFilePermissions(options.socket(), PosixFilePermissions.fromString("rw-------"));
        log.info("exec server (pid {}) for {}: {} spare(s), exits after {} without a run; listening on {}", posix.pid(),
                options.classPath(), options.spares(), Durations.format(options.maxIdle()), options.socket());
        Thread.ofPlatform().name("exec-idle").daemon(true).start(this::stopWhenIdle);
        // Handlers only start the stop: it waits for the runs, which a signal handler must not.
        for (String name : List.of("TERM", "INT", "HUP")) {
            Signal.handle(new Signal(name), signal -> Thread.ofPlatform().name("exec-stop").start(
                    () -> stop(0, "SIG" + name + ": no new runs; the running ones end first")));
        }
        sessionThreads.execute(this::acceptAndServe);
        new CountDownLatch(1).await(); // the server ends by System.exit (stop), not by this thread's end
    }

    /**
     * A training writes {@code KEY.aot.PID.tmp} (and the JVM {@code KEY.aot.PID.tmp.config} beside it), renamed
     * when done: files of a PID that no longer runs were left by a server that died during a training.
     */
    private void removeAbandonedTrainingFiles() throws IOException {
        java.util.regex.Pattern training = java.util.regex.Pattern.compile("[0-9a-f]{64}\\.aot\\.(\\d+)\\.tmp(\\.config)?");
        try (java.util.stream.Stream<Path> files = Files.list(options.aotDir())) {
            for (Path file : files.toList()) {
                java.util.regex.Matcher name = training.matcher(file.getFileName().toString());
                if (name.matches() && !posix.isAlive(Integer.parseInt(name.group(1)))) {
                    Files.deleteIfExists(file);
                    log.info("removed {}: its training's server is gone", file.getFileName());
                }
            }
        }
    }

    /**
     * Accepts one connection and serves it on this thread, having first handed the accepting on to a thread of
     * sessionThreads: a run starts without a thread woken for it (that handoff was 0.05 to 0.15 ms of a run).
     */
    private void acceptAndServe() {
        int client;
        try {
            client = Libc.accept(listenFd);
        } catch (IOException e) {
            synchronized (this) {
                if (closing) {
                    return; // stop() shut the socket down
                }
            }
            log.error("accept on {} failed: {}", options.socket(), e.getMessage());
            stop(1, "accept failed");
            return;
        }
        sessionThreads.execute(this::acceptAndServe);
        synchronized (this) {
            if (closing) {
                Libc.close(client); // the client starts a new server
                return;
            }
            sessions++;
            lastActivity = System.nanoTime();
        }
        new ClientSession(client, this).run();
    }

    synchronized void sessionEnded() {
        sessions--;
        lastActivity = System.nanoTime();
    }

    /** The java of this server's JDK, the spares' too: a cold run's. */
    String javaBin() {
        return javaBin;
    }

    String classPath() {
        return options.classPath();
    }

    SparePool pool() {
        return pool;
    }

    private void stopWhenIdle() {
        long limit = options.maxIdle().toNanos();
        while (true) {
            long sleepNanos;
            synchronized (this) {
                long idle = System.nanoTime() - lastActivity;
                if (sessions == 0 && pool.running() == 0 && idle >= limit) {
                    break;
                }
                sleepNanos = sessions > 0 ? limit : limit - idle;
            }
            try {
                Thread.sleep(Duration.ofNanos(Math.max(10_000_000L, Math.min(sleepNanos, 1_000_000_000L))));
            } catch (InterruptedException e) {
                return;
            }
        }
        stop(0, "no run for " + Durations.format(options.maxIdle()));
    }

    /**
     * Leaves: the socket goes first (a client that finds none starts a new server, which waits for our
     * lock), then the accepting, then the spares; runs still going are waited for (they die with the
     * server). A second stop while the first waits exits at once.
     */
    private void stop(int exitCode, String why) {
        synchronized (this) {
            if (closing) {
                log.info("exec server (pid {}) exits now: {}", posix.pid(), why);
                System.exit(exitCode);
            }
            closing = true;
        }
        log.info("exec server (pid {}) exits: {}", posix.pid(), why);
        try {
            Files.deleteIfExists(options.socket());
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", options.socket(), e.getMessage());
        }
        Libc.shutdown(listenFd);
        pool.close();
        while (true) {
            synchronized (this) {
                if (sessions == 0) {
                    break;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                break;
            }
        }
        System.exit(exitCode);
    }

    /**
     * Starts a training run of the class path's AOT cache for these start-up variables: a spare of its own
     * that writes the cache as it exits; its output goes to the log, the client hears where. Empty, with
     * the client told why, when there can be no training.
     */
    Optional<ClientSession.Training> training(List<String> env, Consumer<ExitStatus> runEnded, Consumer<String> reply)
            throws IOException, InterruptedException {
        ExecClassPath classPath = ExecClassPath.of(options.classPath());
        Optional<Path> cache = command.aotCache(classPath, env);
        if (cache.isEmpty()) {
            reply.accept("error no AOT cache can be made for this class path (the reason is in " + options.logFile() + ")");
            return Optional.empty();
        }
        synchronized (this) {
            if (training) {
                reply.accept("error a training run of this class path is running already");
                return Optional.empty();
            }
            training = true;
        }
        Path output = cache.get().resolveSibling(cache.get().getFileName() + "." + posix.pid() + ".tmp");
        Files.deleteIfExists(output);
        long started = System.nanoTime();
        Spare spare;
        try {
            spare = pool.startDedicated(command.training(classPath, env, output), env, status -> {
                trained(output, cache.get(), env, status, started, reply);
                runEnded.accept(status);
            }).get(ClientSession.SPARE_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            synchronized (this) {
                training = false;
            }
            throw new IOException("the training JVM did not start: " + e.getMessage() + "; see " + options.logFile());
        }
        int in = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        int out = Libc.open(options.logFile().toString(), Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CLOEXEC, 0);
        reply.accept("note training the AOT cache of " + options.classPath() + "; the program's output goes to " + options.logFile());
        return Optional.of(new ClientSession.Training(spare, new int[] {in, out, out}));
    }

    /** From the reaper: a training run ended; its cache, when whole, takes the place of any earlier one. */
    private void trained(Path output, Path cache, List<String> env, ExitStatus status, long started, Consumer<String> reply) {
        long millis = (System.nanoTime() - started) / 1_000_000;
        try {
            if (Files.isRegularFile(output) && Files.size(output) > 0) {
                long size = Files.size(output);
                Files.move(output, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                log.info("AOT cache trained in {} ms ({} MB): {}; the program {}", millis, size / (1024 * 1024), cache, status);
                reply.accept("note AOT cache trained in " + millis + " ms (" + size / (1024 * 1024) + " MB); spares start from it from now on");
                pool.renew(env);
            } else {
                Files.deleteIfExists(output);
                log.warn("the AOT training wrote no cache after {} ms; the program {}", millis, status);
                reply.accept("note the training wrote no AOT cache (the program " + status + "); see " + options.logFile());
            }
        } catch (IOException e) {
            log.warn("cannot put the trained AOT cache in place: {}", e.toString());
            reply.accept("note cannot put the trained AOT cache in place: " + e.getMessage());
        } finally {
            synchronized (this) {
                training = false;
            }
        }
    }
}
