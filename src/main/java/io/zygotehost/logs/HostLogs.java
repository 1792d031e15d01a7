package io.zygotehost.logs;

import ch.qos.logback.core.Context;
import ch.qos.logback.core.ContextBase;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import io.zygotehost.config.HostSettings;
import io.zygotehost.config.LogRotation;
import io.zygotehost.ipc.RunAs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's log files, all written by the master: {@code zygote-host.log} (the master's own events),
 * {@code APP.log} (every line a zygote or worker of the app prints, prefixed with the time and who printed it)
 * and {@code APP.access.log} (the lines the app's workers log per request). Children write into pipes
 * ({@link ChildOutput}), never into the files, so rotation and SIGUSR1's reopen happen in one process, between
 * whole lines.
 */
public final class HostLogs {

    private static final Logger log = LoggerFactory.getLogger(HostLogs.class);
    /** The master's own lines have the same timestamps, so the files read side by side. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    /** How long close() lets the readers hand on what the children wrote last. */
    private static final long LAST_WORDS_MILLIS = 2000;

    private final Path logDir;
    private final Path pipeDir;
    private final LogRotation rotation;
    private final Context context = new ContextBase();
    private final Optional<MasterLog> masterLog;
    /** By file name; opened with the first child that writes there. */
    private final Map<String, LogFile> files = new ConcurrentHashMap<>();
    private final Set<ChildOutput> outputs = ConcurrentHashMap.newKeySet();

    private HostLogs(Path logDir, Path pipeDir, LogRotation rotation, Optional<MasterLog> masterLog) {
        this.logDir = logDir;
        this.pipeDir = pipeDir;
        this.rotation = rotation;
        this.masterLog = masterLog;
        // A failed rotation or reopen says so on the master's stderr; logback's chatter about its set-up does not.
        context.getStatusManager().add((StatusListener) status -> {
            if (status.getEffectiveLevel() >= Status.WARN) {
                System.err.println("zygote-host: log files: " + status);
            }
        });
    }

    /** Creates log_dir and run_dir/pipes (emptied of a previous run's pipes) and starts writing zygote-host.log. */
    public static HostLogs open(HostSettings host) throws IOException {
        Files.createDirectories(host.logDir());
        Path pipeDir = host.runDir().resolve("pipes");
        Files.createDirectories(pipeDir);
        // Passable, not readable: a worker running as an app's user (user:) opens its own pipes by name.
        Files.setPosixFilePermissions(pipeDir, PosixFilePermissions.fromString("rwx--x--x"));
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(pipeDir)) {
            for (Path pipe : stale) {
                Files.deleteIfExists(pipe);
            }
        }
        return new HostLogs(host.logDir(), pipeDir, host.logRotation(),
                MasterLog.attach(host.logDir().resolve("zygote-host.log"), host.logRotation()));
    }

    /**
     * A pipe for what a zygote or worker of {@code app} prints (stdout and stderr): into APP.log, each line
     * prefixed with the time and {@code who} (read per chunk: the pid is known only once the child is spawned).
     */
    public ChildOutput processOutput(String app, String pipeName, ChildLabel who, RunAs writer) throws IOException {
        LogFile file = file(app + ".log");
        return started(pipeName, lines -> file.write(prefixed(lines, who.toString())), writer);
    }

    /** A pipe for the access log lines a worker of {@code app} writes: into APP.access.log as they are. */
    public ChildOutput accessLog(String app, String pipeName, RunAs writer) throws IOException {
        LogFile file = file(app + ".access.log");
        return started(pipeName, file::write, writer);
    }

    /** SIGUSR1: every file is closed and opened again by name, as after an external logrotate moved them. */
    public void reopen() {
        masterLog.ifPresent(master -> reopen("zygote-host.log", master::reopen));
        files.forEach((name, file) -> reopen(name, file::reopen));
        log.info("reopened the log files in {}", logDir);
    }

    /** After the children are gone: lets the readers finish their last lines, then closes the files. */
    public void close() throws InterruptedException {
        long deadline = System.currentTimeMillis() + LAST_WORDS_MILLIS;
        for (ChildOutput output : outputs) {
            output.writerGone();
            output.awaitEnd(Math.max(1, deadline - System.currentTimeMillis()));
        }
        files.values().forEach(LogFile::close);
        masterLog.ifPresent(MasterLog::detach);
    }

    /** @param writer who the child runs as, null: the master's user */
    private ChildOutput started(String pipeName, Consumer<byte[]> lines, RunAs writer) throws IOException {
        ChildOutput output = new ChildOutput(pipeDir.resolve(pipeName), lines, outputs::remove);
        outputs.add(output);
        return output.start(writer);
    }

    private LogFile file(String name) {
        return files.computeIfAbsent(name, n -> new LogFile(logDir.resolve(n), rotation, context));
    }

    private interface Reopen {
        void run() throws IOException;
    }

    private static void reopen(String name, Reopen reopen) {
        try {
            reopen.run();
        } catch (IOException e) {
            log.error("cannot reopen {}: {}", name, e.toString());
        }
    }

    /** Each line of {@code lines} (each ending in a newline) as "TIME WHO | line". */
    static byte[] prefixed(byte[] lines, String who) {
        byte[] prefix = (TIME.format(Instant.now()) + ' ' + who + " | ").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(lines.length + 4 * prefix.length);
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i] == '\n') {
                out.write(prefix, 0, prefix.length);
                out.write(lines, start, i + 1 - start);
                start = i + 1;
            }
        }
        return out.toByteArray();
    }
}
