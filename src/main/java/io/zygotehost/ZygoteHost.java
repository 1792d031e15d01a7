package io.zygotehost;

import io.zygotehost.config.ConfigException;
import io.zygotehost.config.ConfigLoader;
import io.zygotehost.config.HostConfig;
import io.zygotehost.master.Master;
import io.zygotehost.process.Posix;
import io.zygotehost.status.HostStatus;
import io.zygotehost.status.Startup;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The host as a library: start it from a config, reload it, stop it, all in-process (as uFork's
 * arbiter is). The command line is a thin shell over this class.
 *
 * <pre>{@code
 * try (ZygoteHost host = ZygoteHost.start(Path.of("conf/apps.yml"))) {
 *     ... // serve until close() drains and stops everything
 * }
 * }</pre>
 */
public final class ZygoteHost implements AutoCloseable {

    private final HostConfig config;
    private final Master master;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private ZygoteHost(HostConfig config, Master master) {
        this.config = config;
        this.master = master;
    }

    public static ZygoteHost start(Path configFile) throws ConfigException, IOException {
        return start(ConfigLoader.load(configFile), Options.defaults());
    }

    /**
     * @param options {@link Options#adoptOrphans}: become the subreaper of our descendants, so the
     *                workers of a dead zygote are reaped by us. Right for a process that is only the
     *                host; a test JVM may prefer not to.
     */
    public static ZygoteHost start(HostConfig config, Options options) throws IOException {
        Posix posix = Posix.get();
        if (options.adoptOrphans()) {
            posix.becomeChildSubreaper();
        }
        Master master = new Master(config, posix, Clock.systemUTC(), options.classpath());
        master.prepare();
        ZygoteHost host = new ZygoteHost(config, master);
        // The master spawns from this one long-lived thread, as posix_spawn and parent-death rules want.
        Thread thread = new Thread(() -> {
            try {
                host.exit.complete(master.run());
            } catch (Throwable failure) {
                host.exit.completeExceptionally(failure);
            }
        }, "zygote-host-master");
        thread.start();
        return host;
    }

    public HostConfig config() {
        return config;
    }

    /**
     * Completed once every app serves at full strength, or some cannot while the others serve
     * ({@link Startup#ok()} false, with the reasons): what {@code bin/zygote-host --daemon} and
     * systemd's READY=1 wait for. A stop before then completes it, not ok.
     */
    public CompletableFuture<Startup> started() {
        return master.started();
    }

    /** Re-reads the config file and applies what changed. */
    public void reload() {
        master.requestReload();
    }

    /**
     * What runs and how it does, as {@code bin/zygote-host status} shows it, built by the master at
     * its next turn. Never completed once the host has stopped: wait with a limit.
     */
    public CompletableFuture<HostStatus> status() {
        return master.requestStatus();
    }

    /** Drains every worker and stops; returns at once (see {@link #awaitExit}). A second call stops at once. */
    public void stop() {
        master.requestStop(false);
    }

    /** Closes and reopens every log file by name, as after an external logrotate moved them (SIGUSR1). */
    public void reopenLogs() {
        master.requestReopenLogs();
    }

    public void stopNow() {
        master.requestStop(true);
    }

    /** Waits for the host to stop; returns its exit status. */
    public int awaitExit() throws IOException, InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IOException("the master failed", e.getCause());
        }
    }

    public boolean awaitExit(Duration limit) throws InterruptedException {
        try {
            exit.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
        awaitExit();
    }

    /**
     * @param classpath the class path zygotes and workers run with (plus the app's jars)
     */
    public record Options(boolean adoptOrphans, String classpath) {
        public static Options defaults() {
            return new Options(false, System.getProperty("java.class.path"));
        }

        public Options adoptingOrphans() {
            return new Options(true, classpath);
        }
    }
}
