package io.zygotehost.master;

import io.zygotehost.ipc.Message;
import io.zygotehost.process.SystemdNotify;
import io.zygotehost.status.Startup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whoever supervises the host how it is doing: systemd through {@code NOTIFY_SOCKET}
 * ({@code Type=notify}: READY, RELOADING, STOPPING and a STATUS line for {@code systemctl status}),
 * and a caller waiting for the start ({@code bin/zygote-host --daemon}, a test) through
 * {@link #started()}. Called on the master's thread only.
 *
 * <p>The start has ended when every app serves at full strength (its current version's workers,
 * or as many as its memory budget holds, ready) or cannot (its {@code problem}: a version that does
 * not start, a port taken; or a crash loop). Then READY=1 goes out, in both cases: the host runs
 * and serves what it can, as a foreground host does, and the STATUS line names what does not.
 */
final class HostNotifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("master");
    /** systemd shows STATUS on one line of {@code systemctl status}; longer ones only get cut there. */
    private static final int STATUS_LIMIT = 400;

    private final Optional<SystemdNotify> systemd;
    private final CompletableFuture<Startup> started = new CompletableFuture<>();
    /** Reloads under way (SIGHUP, bin/zygote-host reload): READY=1 goes out when the last one has ended. */
    private final Set<Object> reloads = new HashSet<>();
    private boolean sendFailed;

    HostNotifier(Optional<SystemdNotify> systemd) {
        this.systemd = systemd;
    }

    /** To systemd when {@code NOTIFY_SOCKET} is set; a socket that cannot even be made is logged, and the host runs on. */
    static HostNotifier fromEnvironment() {
        try {
            return new HostNotifier(SystemdNotify.fromEnvironment());
        } catch (IOException e) {
            log.warn("no notifications to systemd: {}", e.getMessage());
            return new HostNotifier(Optional.empty());
        }
    }

    CompletableFuture<Startup> started() {
        return started;
    }

    void starting(int apps) {
        send(status("starting " + apps + (apps == 1 ? " app" : " apps")));
    }

    /** Each turn until the start has ended: READY=1 once every app serves or cannot. */
    void checkStarted(Collection<AppRuntime> apps) {
        if (started.isDone()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        boolean ok = true;
        for (AppRuntime app : apps) {
            Optional<String> problem = problem(app);
            if (problem.isPresent()) {
                ok = false;
                lines.add(app.name + ": " + problem.get());
                continue;
            }
            Optional<String> serving = serving(app);
            if (serving.isEmpty()) {
                return; // still starting
            }
            lines.add(serving.get());
        }
        Startup startup = new Startup(ok, lines);
        log.info("{}: {}", ok ? "every app serves" : "started, but not every app serves", String.join("; ", lines));
        send("READY=1", status((ok ? "serving " : "serving, with problems: ") + String.join("; ", lines)));
        started.complete(startup);
    }

    /** Why the app cannot serve as configured, or empty while it serves or may still come up. */
    private static Optional<String> problem(AppRuntime app) {
        if (app.problem != null) {
            return Optional.of(app.problem);
        }
        Optional<Generation> current = app.current();
        if (current.isPresent() && current.get().inCrashLoop()) {
            return Optional.of("CRASH LOOP: " + current.get().failure);
        }
        if (app.announcedCap == 0) {
            return Optional.of("no worker fits: " + app.capReason);
        }
        return Optional.empty();
    }

    /** {@code hello@v1 on 127.0.0.1:8080: 2 workers} once the current version has all the workers it may have ready. */
    private static Optional<String> serving(AppRuntime app) {
        Optional<Generation> current = app.current();
        int wanted = app.announcedCap >= 0 ? Math.min(app.config.workers(), app.announcedCap) : app.config.workers();
        if (current.isEmpty() || current.get().readyWorkers() < wanted) {
            return Optional.empty();
        }
        return Optional.of(current.get().label() + " on " + app.config.listen() + (app.config.tls().isPresent() ? " (https)" : "")
                + ": " + wanted + (wanted == 1 ? " worker" : " workers"));
    }

    /** The start of a reload: RELOADING=1 with the time, as systemd 253 and later want it to match it to the reload it asked for. */
    void reloadStarted(Object reload, Path configFile) {
        if (!started.isDone()) {
            return; // READY=1 first: a reload during the start is part of it
        }
        reloads.add(reload);
        // HotSpot's nanoTime is CLOCK_MONOTONIC on Linux, the clock MONOTONIC_USEC is in.
        send("RELOADING=1", "MONOTONIC_USEC=" + System.nanoTime() / 1000, status("reloading " + configFile));
    }

    void reloadEnded(Object reload, Message.ReloadDone outcome) {
        if (!reloads.remove(reload) || !reloads.isEmpty()) {
            return;
        }
        send("READY=1", status((outcome.ok() ? "reloaded: " : "reload failed: ") + String.join("; ", outcome.lines())));
    }

    void stopping(int processes) {
        started.complete(new Startup(false, List.of("stopped before every app served")));
        send("STOPPING=1", status("stopping: draining " + processes + " processes"));
    }

    /** A STATUS field: one line (a newline would start another field), cut to what systemctl shows. */
    static String status(String text) {
        String line = text.strip().replaceAll("\\s*\n\\s*", " ");
        return "STATUS=" + (line.length() > STATUS_LIMIT ? line.substring(0, STATUS_LIMIT) + "..." : line);
    }

    /** One datagram of fields, one per line. */
    private void send(String... fields) {
        if (systemd.isEmpty()) {
            return;
        }
        try {
            systemd.get().send(String.join("\n", fields));
        } catch (IOException e) {
            if (!sendFailed) {
                sendFailed = true; // once: a service manager that went away would otherwise fill the log
                log.warn("cannot notify systemd: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        systemd.ifPresent(SystemdNotify::close);
    }
}
