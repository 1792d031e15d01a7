package io.zygotehost.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.zygotehost.ZygoteHost;
import io.zygotehost.config.AppConfig;
import io.zygotehost.config.HostConfig;
import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.PidFile;
import io.zygotehost.process.Posix;
import io.zygotehost.process.SpawnRequest;
import io.zygotehost.status.Startup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/zygote-host --daemon CONFIG}: starts the host in the background, in a session of its
 * own (no terminal), and returns once it serves, or says why it does not.
 *
 * <p>The command spawns the master (the same JVM flags and class path, {@code run CONFIG}) with a
 * pipe as fd 3 and waits on it: the master writes how its start went ({@link ZygoteHost#started()},
 * or why it could not start at all) and closes it. A master that dies first closes it by dying: the
 * command then reports its exit and the end of its log. The master is the daemon itself, no second
 * fork: the pid file names it, so {@code stop}, {@code status} and {@code reload} find it as they find
 * a foreground host. Its console output goes into {@code log_dir/zygote-host.log}.
 */
final class Daemon {

    /** Set in the daemon's environment: the fd on which the waiting command hears how the start went. */
    static final String REPORT_FD_ENV = "ZYGOTE_HOST_REPORT_FD";
    private static final int REPORT_FD = 3;
    private static final String READY = "ready";
    private static final String PARTIAL = "partial";
    private static final String FAILED = "failed";
    /** Lines of the log shown when the daemon died before it could say why. */
    private static final int LOG_TAIL = 15;

    private Daemon() {}

    // ---- the command ----

    static int start(HostConfig config, Path configFile, PrintStream out, PrintStream err) throws IOException {
        Path runDir = config.host().runDir();
        Optional<Integer> running = PidFile.runningHost(runDir);
        if (running.isPresent()) {
            err.println("zygote-host: another zygote-host (pid " + running.get() + ") runs from " + runDir
                    + ": stop it first (bin/zygote-host stop " + configFile + ")");
            return 1;
        }
        Files.createDirectories(config.host().logDir());
        Path log = config.host().logDir().resolve("zygote-host.log");
        Posix posix = Posix.get();
        int[] pipe = posix.pipe();
        int pid;
        try {
            pid = posix.spawn(new SpawnRequest(javaExecutable(), masterCommand(configFile, config.file()), environment(),
                    Map.of(REPORT_FD, pipe[1]), Optional.of(log), false, true));
        } finally {
            posix.close(pipe[1]);
        }
        Duration limit = waitLimit(config);
        CompletableFuture<String> report = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("daemon-report").start(() -> {
            try (InputStream in = Files.newInputStream(Path.of("/proc/self/fd/" + pipe[0]))) {
                report.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                report.complete("");
            } finally {
                posix.close(pipe[0]);
            }
        });
        String text;
        try {
            text = report.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            err.println("zygote-host (pid " + pid + ") does not serve yet after " + limit.toSeconds() + "s; it runs on."
                    + " See bin/zygote-host status " + configFile + ", and " + log);
            return 1;
        } catch (InterruptedException | ExecutionException e) {
            throw new IOException("waiting for the host to start: " + e, e);
        }
        return told(text, pid, configFile, log, out, err);
    }

    /** What the daemon told, or the exit it made without telling. */
    private static int told(String text, int pid, Path configFile, Path log, PrintStream out, PrintStream err) {
        List<String> lines = text.lines().toList();
        String kind = lines.isEmpty() ? "" : lines.getFirst();
        List<String> said = lines.isEmpty() ? List.of() : lines.subList(1, lines.size());
        switch (kind) {
            case READY -> {
                out.println("zygote-host (pid " + pid + ") serving, from " + configFile + ":");
                said.forEach(line -> out.println("  " + line));
                out.println("its log: " + log);
                return 0;
            }
            case PARTIAL -> {
                err.println("zygote-host (pid " + pid + ") started, but not every app serves:");
                said.forEach(line -> err.println("  " + line));
                err.println("it runs on with the others: bin/zygote-host status " + configFile
                        + "; to stop it: bin/zygote-host stop " + configFile);
                return 1;
            }
            case FAILED -> {
                said.forEach(line -> err.println(line.startsWith(configFile.toString()) ? line : "zygote-host: " + line));
                return 1;
            }
            default -> {
                err.println("zygote-host: the host (pid " + pid + ") ended before it served: " + exitOf(pid)
                        + "; the end of " + log + ":");
                tail(log).forEach(line -> err.println("  " + line));
                return 1;
            }
        }
    }

    /** Our child's exit, once the kernel has it (the pipe closes a moment before the process is reaped). */
    private static String exitOf(int pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            Optional<ExitStatus> status = Posix.get().reap(pid);
            if (status.isPresent()) {
                return status.get().toString();
            }
            sleep(50);
        }
        return "it closed its report without a word, and runs on";
    }

    private static List<String> tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size());
        } catch (IOException e) {
            return List.of("(cannot read it: " + e.getMessage() + ")");
        }
    }

    /**
     * Past this the command stops waiting (the host runs on): a start that neither serves nor fails
     * by then is stuck somewhere the master's own limits (each app's timeout, crash-loop detection)
     * did not catch.
     */
    static Duration waitLimit(HostConfig config) {
        Duration longest = config.apps().values().stream().map(AppConfig::timeout).max(Duration::compareTo).orElse(Duration.ZERO);
        return longest.multipliedBy(4).plusSeconds(60);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This JVM's own command line up to its main class (bin/zygote-host's flags and class path), then {@code run CONFIG}. */
    private static List<String> masterCommand(Path configFile, Path absoluteConfig) throws IOException {
        List<String> arguments = ProcessHandle.current().info().arguments().map(List::of).orElse(List.of());
        int main = arguments.indexOf(Main.class.getName());
        if (main < 0) {
            throw new IOException("cannot tell how this JVM was started (no " + Main.class.getName()
                    + " in its command line): run bin/zygote-host --daemon");
        }
        List<String> argv = new ArrayList<>();
        argv.add("zygote-host: master " + configFile); // the title bin/zygote-host gives a foreground master
        argv.addAll(arguments.subList(0, main + 1));
        argv.add("run");
        argv.add(absoluteConfig.toString());
        return argv;
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(REPORT_FD_ENV, Integer.toString(REPORT_FD));
        return env;
    }

    // ---- in the daemon ----

    /** How the start went, told once to the command waiting on {@link #REPORT_FD_ENV}. */
    static final class Report {

        private final int fd;
        private boolean sent;

        private Report(int fd) {
            this.fd = fd;
        }

        static Optional<Report> fromEnvironment() {
            String fd = System.getenv(REPORT_FD_ENV);
            return fd == null ? Optional.empty() : Optional.of(new Report(Integer.parseInt(fd)));
        }

        void started(Startup startup) {
            send(startup.ok() ? READY : PARTIAL, startup.lines());
        }

        void failed(String why) {
            send(FAILED, why.lines().toList());
        }

        private synchronized void send(String kind, List<String> lines) {
            if (sent) {
                return;
            }
            sent = true;
            try (OutputStream pipe = Files.newOutputStream(Path.of("/proc/self/fd/" + fd))) {
                pipe.write((kind + "\n" + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                LoggerFactory.getLogger("master").warn("cannot tell the waiting command how the start went: {}", e.toString());
            } finally {
                Posix.get().close(fd); // its last copy: the command reads to the end
            }
        }
    }

    /** The host runs: its start is told to the command, and its console goes into its log. */
    static void detach(ZygoteHost host, Report report) throws IOException {
        consoleIntoLog();
        host.started().thenAccept(report::started);
    }

    /**
     * The daemon's stdout and stderr (a thread dump on SIGQUIT, the JVM's own warnings, anything
     * printed) become lines of {@code zygote-host.log}, written by the logger like every other
     * line, so that they follow the log's rotation. The console appender goes first: its lines
     * would come back through the pipe forever.
     */
    private static void consoleIntoLog() throws IOException {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                Appender<ch.qos.logback.classic.spi.ILoggingEvent> appender = it.next();
                if (appender instanceof ConsoleAppender) {
                    root.detachAppender(appender);
                }
            }
        }
        Posix posix = Posix.get();
        int[] pipe = posix.pipe();
        System.out.flush();
        System.err.flush();
        posix.dup2(pipe[1], 1);
        posix.dup2(pipe[1], 2);
        posix.close(pipe[1]);
        Logger console = LoggerFactory.getLogger("console");
        Thread.ofPlatform().daemon(true).name("console-to-log").start(() -> {
            // A decoder that replaces what is not UTF-8 rather than throwing: this copy must never stop, or the
            // next write to stdout would block once the pipe is full.
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                    Files.newInputStream(Path.of("/proc/self/fd/" + pipe[0])), StandardCharsets.UTF_8))) {
                posix.close(pipe[0]);
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    console.info(line);
                }
            } catch (IOException e) {
                LoggerFactory.getLogger("master").warn("the console's copy into the log stopped: {}", e.toString());
            }
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
