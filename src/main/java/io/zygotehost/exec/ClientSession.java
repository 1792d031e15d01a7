package io.zygotehost.exec;

import io.zygotehost.exec.spare.Libc;
import io.zygotehost.exec.spare.RunRequest;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection, on a thread of its own: its request goes to a spare with the client's
 * descriptors, then the client hears the spare's pid, gets its signals forwarded, and hears how the run
 * ended, after the spare is gone, so after every byte it wrote.
 *
 * <p>Lines to the client: {@code started PID} and {@code exit CODE} or {@code killed SIGNAL} (a program that
 * ends at once may be reported before it is said to have started); or {@code cold JAVA} when no spare is
 * ready and the client may run the program itself (see SparePool.takeReady); or {@code error TEXT} when the run
 * could not start; {@code note TEXT} lines are for the user's stderr.
 * Lines from the client: {@code signal N} (for the program's process) and {@code group N} (for its process
 * group: what a terminal's Ctrl-C reaches). The {@code exit CODE} of a run that ends by exiting is written by
 * the spare itself, straight to the client, as its JVM exits (see Libc.reportExitTo); the server writes the
 * other lines.
 */
final class ClientSession implements Runnable {

    private static final Logger log = LoggerFactory.getLogger("exec");
    /** How long a run waits for a spare: a JVM start, on a loaded machine. */
    static final Duration SPARE_WAIT = Duration.ofSeconds(60);

    /** How long a run whose client went may take to report its exit before it counts as orphaned. */
    static final Duration ORPHAN_GRACE = Duration.ofSeconds(1);
    private static final ScheduledExecutorService ORPHANS = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "orphaned runs");
        thread.setDaemon(true);
        return thread;
    });

    private final int fd;
    private final ExecServer server;
    /** The spare's exit report, as it comes on its control socket (only this thread reads it). */
    private final Lines fromSpare = new Lines(this::exitReported);
    private final Posix posix = Posix.get();
    /** The spare's control socket once it has the run (only this thread uses it); -1 before and after. */
    private int control = -1;
    // Guarded by this: the reaper's thread reports the end, this one reads the client.
    private int pid;
    private boolean handedOver;
    private boolean ended;
    /** The spare reported its exit code as it exited: that is what the client got. */
    private boolean reported;
    /** Orphaned, and killed for it. */
    private boolean killed;
    private boolean closed;
    private long startedNanos;

    ClientSession(int fd, ExecServer server) {
        this.fd = fd;
        this.server = server;
    }

    @Override
    public void run() {
        try {
            Libc.Peer peer = Libc.peer(fd);
            if (peer.uid() != Libc.userId()) {
                log.warn("refused a connection from pid {} of uid {}: not our user", peer.pid(), peer.uid());
                return;
            }
            Optional<RunRequest.Received> received = RunRequest.receive(fd, 0);
            if (received.isPresent()) {
                start(received.get());
                followRun();
                awaitExitReport();
            }
        } catch (IOException e) {
            log.warn("a client connection failed: {}", e.getMessage());
        } finally {
            synchronized (this) {
                closed = true;
                Libc.close(fd);
            }
            if (control >= 0) {
                Libc.close(control);
            }
            server.sessionEnded();
        }
    }

    private void start(RunRequest.Received received) throws IOException {
        RunRequest request = received.request();
        int[] fds = received.fds();
        Spare spare;
        int[] passed = fds;
        try {
            String classPath = utf8(request.classPath());
            if (!classPath.equals(server.classPath())) {
                reply("error this exec server serves the class path " + server.classPath() + ", not " + classPath);
                return;
            }
            List<String> env = StartupEnvironment.of(request.environment());
            if (request.mode().equals(RunRequest.TRAIN)) {
                Optional<Training> training = server.training(env, this::ended, this::reply);
                if (training.isEmpty()) {
                    return;
                }
                spare = training.get().spare();
                passed = training.get().fds();
            } else if (request.mode().equals(RunRequest.WAIT)) {
                spare = server.pool().take(env, SPARE_WAIT, this::ended);
            } else {
                Optional<Spare> ready = server.pool().takeReady(env, this::ended);
                if (ready.isEmpty()) {
                    log.info("run cold, as java would (no spare ready yet): {} in {}", utf8(request.mainClass()), utf8(request.directory()));
                    reply("cold " + server.javaBin());
                    return;
                }
                spare = ready.get();
            }
            // Handed over before the send: a program that ends at once is reported even before send() returns.
            synchronized (this) {
                pid = spare.pid;
                startedNanos = System.nanoTime();
                handedOver = true;
            }
            control = spare.controlFd; // ours from now on: it brings the exit report
            // The client's connection goes too: the spare's exit report goes straight to the client (ExitReport).
            // Not a training's: its cache is written as it exits and put in place when it is reaped, which the
            // client must hear of before the exit code; so that exit code comes from the reaper, and the spare
            // reports into a socket nobody reads.
            boolean training = passed != fds;
            int[] nowhere = training ? Libc.socketPair() : null;
            int[] withClient = java.util.Arrays.copyOf(passed, passed.length + 1);
            withClient[passed.length] = training ? nowhere[0] : fd;
            try {
                Libc.send(control, request.raw(), withClient);
            } finally {
                if (training) {
                    Libc.close(nowhere[0]);
                    Libc.close(nowhere[1]);
                    Libc.close(control);
                    control = -1;
                }
            }
        } catch (SparePool.Stopping e) {
            return; // closed without a word: the client tries again, with a new server
        } catch (IOException e) {
            reply("error " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply("error the exec server was interrupted");
            return;
        } finally {
            for (int received2 : fds) {
                Libc.close(received2);
            }
            if (passed != fds) {
                for (int own : passed) {
                    Libc.close(own);
                }
            }
        }
        log.debug("run {} in {}: {} {}", spare.pid, utf8(request.directory()), utf8(request.mainClass()), spare.aotCache != null ? "(AOT cache)" : "");
        reply("started " + spare.pid);
    }

    /**
     * Until the client goes: its signal lines, forwarded while the program runs, and the spare's exit
     * report ({@code exit N}, written as its JVM exits: see ExitReport), passed on at once.
     */
    private void followRun() throws IOException {
        byte[] buffer = new byte[256];
        Lines fromClient = new Lines(this::forward);
        while (true) {
            boolean[] readable = control >= 0 ? Libc.awaitReadable(fd, control) : Libc.awaitReadable(fd);
            if (readable[0]) {
                int n = Libc.read(fd, buffer, 0, buffer.length);
                if (n == 0) {
                    return;
                }
                fromClient.add(buffer, n);
            }
            if (control >= 0 && readable[1]) {
                int n = Libc.read(control, buffer, 0, buffer.length);
                if (n == 0) {
                    Libc.close(control); // the spare is gone or going: the reaper has the rest
                    control = -1;
                } else {
                    fromSpare.add(buffer, n);
                }
            }
        }
    }

    /** Splits what arrives into lines, for a consumer. */
    private static final class Lines {
        private final Consumer<String> consumer;
        private final StringBuilder line = new StringBuilder();

        Lines(Consumer<String> consumer) {
            this.consumer = consumer;
        }

        void add(byte[] bytes, int n) {
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    consumer.accept(line.toString());
                    line.setLength(0);
                } else if (line.length() < 64) {
                    line.append((char) bytes[i]);
                }
            }
        }
    }

    /**
     * The spare's JVM is exiting with this code: the program has written all it will, and the spare has
     * written the same line to the client, before this one.
     */
    private void exitReported(String line) {
        if (!line.matches("exit [0-9]{1,3}")) {
            log.warn("spare {} sent a line that is no exit report: {}", pid, line);
            return;
        }
        synchronized (this) {
            if (ended || reported) {
                return;
            }
            reported = true;
            log.debug("run {} exits after {} ms: {}", pid, (System.nanoTime() - startedNanos) / 1_000_000, line);
            if (!closed) {
                Libc.shutdown(fd); // ends followRun: the client has all it needs
            }
        }
    }

    /**
     * The client is gone: after its program's exit report, or killed by a signal it could not forward. The spare
     * writes its report to the client first, then to us, so the client may well have read it and exited before
     * our copy is read; a kill then would only be noise in the log. The spare's control socket tells which: its
     * report, or its end (reaped), within {@link #ORPHAN_GRACE}; past that the run is orphaned and killed.
     */
    private void awaitExitReport() throws IOException {
        if (control >= 0 && !reportedOrEnded()) {
            ScheduledFuture<?> orphaned = ORPHANS.schedule(this::killOrphanedRun, ORPHAN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            try {
                byte[] buffer = new byte[256];
                for (int n; !reportedOrEnded() && (n = Libc.read(control, buffer, 0, buffer.length)) > 0; ) {
                    fromSpare.add(buffer, n);
                }
            } finally {
                orphaned.cancel(false);
            }
        }
        killOrphanedRun();
    }

    private synchronized boolean reportedOrEnded() {
        return reported || ended;
    }

    /**
     * The client went before its program ended: it was killed by a signal it could not forward (SIGKILL).
     * The client stands for the program's process, so the program goes the same way, with its children.
     */
    private synchronized void killOrphanedRun() {
        if (handedOver && !ended && !reported && !killed) {
            killed = true;
            log.info("the client of run {} is gone: the run is killed", pid);
            posix.signalGroup(pid, io.zygotehost.process.Signals.SIGKILL);
        }
    }

    private void forward(String line) {
        String[] words = line.split(" ");
        if (words.length != 2 || !words[1].matches("[0-9]{1,2}")) {
            log.warn("a client sent a line that is no signal: {}", line);
            return;
        }
        int signal = Integer.parseInt(words[1]);
        synchronized (this) {
            if (!handedOver || ended || reported) {
                return; // the program is not running: nothing to signal, and the pid may be anyone's soon
            }
            if (words[0].equals("group")) {
                posix.signalGroup(pid, signal);
            } else {
                posix.signal(pid, signal);
            }
        }
    }

    /** From the reaper: the program's JVM is gone, so every byte it wrote is where it wrote it. */
    private void ended(ExitStatus status) {
        synchronized (this) {
            ended = true;
            if (!handedOver || reported) {
                return; // died before it was handed the run (start() tells the client), or its exit was reported
            }
            log.debug("run {} ended after {} ms: {}", pid, (System.nanoTime() - startedNanos) / 1_000_000, status);
            if (!closed) {
                replyLocked(switch (status) {
                    case ExitStatus.Exited(int code) -> "exit " + code;
                    case ExitStatus.Signaled(int signal) -> "killed " + signal;
                });
                Libc.shutdown(fd); // ends followRun: the client has all it needs
            }
        }
    }

    synchronized void reply(String line) {
        if (!closed) {
            replyLocked(line);
        }
    }

    private void replyLocked(String line) {
        try {
            Libc.writeFully(fd, (line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.debug("the client is gone: {}", e.getMessage());
        }
    }

    /** A field of the request as the server's JVM spells such bytes (it runs in a UTF-8 locale: the client sees to it). */
    private static String utf8(String raw) {
        return RunRequest.decoded(raw, StandardCharsets.UTF_8);
    }

    /** A training run: its spare, and the descriptors it gets instead of the client's (its output goes to the log). */
    record Training(Spare spare, int[] fds) {}
}
