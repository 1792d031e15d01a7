package io.zygotehost.cli;

import io.zygotehost.ZygoteHost;
import io.zygotehost.config.AppConfig;
import io.zygotehost.config.ConfigException;
import io.zygotehost.config.ConfigLoader;
import io.zygotehost.config.HostConfig;
import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.Message;
import io.zygotehost.master.Release;
import io.zygotehost.process.PidFile;
import io.zygotehost.process.Posix;
import io.zygotehost.process.Signals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import sun.misc.Signal;

/**
 * {@code bin/zygote-host}: run the host, or talk to the one running from a config file.
 */
public final class Main {

    static final String USAGE = """
            usage: zygote-host [run] CONFIG      run the host (until SIGTERM or SIGINT)
                   zygote-host --daemon [CONFIG] run it in the background; return once it serves (exit 0) or not (1)
                   zygote-host check CONFIG      validate the config and the apps' jars; exit 0 or 1
                   zygote-host stop [CONFIG]     stop the host running from CONFIG gracefully, and wait
                   zygote-host reload [CONFIG]   reload it, wait for every deploy; exit 0 or 1
                   zygote-host status [--json] [CONFIG]
                                                 show its apps, versions and workers (--json: for scripts)
            CONFIG defaults to conf/apps.yml.""";
    private static final Path DEFAULT_CONFIG = Path.of("conf/apps.yml");
    /** How often {@code stop} looks whether the host has exited. */
    private static final long EXIT_POLL_MILLIS = 10;

    private Main() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        if (command.equals("status")) {
            return status(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        Path config = args.length > 1 ? Path.of(args[1]) : DEFAULT_CONFIG;
        return switch (command) {
            case "run" -> serve(config, err);
            case "--daemon" -> daemon(config, out, err);
            case "check" -> check(config, out, err);
            case "stop" -> signalHost(config, Signals.SIGTERM, true, out, err);
            case "reload" -> reload(config, out, err);
            default -> args.length == 1 && command.endsWith(".yml") || command.endsWith(".yaml")
                    ? serve(Path.of(command), err) : usage(err, "unknown command: " + command);
        };
    }

    private static int serve(Path configFile, PrintStream err) throws Exception {
        // Set when this is the master of --daemon: the command that started it waits to hear how the start went.
        Optional<Daemon.Report> report = Daemon.Report.fromEnvironment();
        Optional<HostConfig> loaded = load(configFile, err);
        if (loaded.isEmpty()) {
            report.ifPresent(r -> r.failed("the config changed and no longer loads: bin/zygote-host check " + configFile));
            return 1;
        }
        HostConfig config = loaded.get();
        ZygoteHost host;
        try {
            host = ZygoteHost.start(config, ZygoteHost.Options.defaults().adoptingOrphans());
        } catch (IOException e) {
            err.println("zygote-host: " + e.getMessage());
            report.ifPresent(r -> r.failed(e.getMessage()));
            return 1;
        }
        if (report.isPresent()) {
            Daemon.detach(host, report.get());
        }
        // Handlers only queue: the master thread does the work. Signals we were started ignoring (nohup) count too.
        for (int signal : new int[] {Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP, Signals.SIGUSR1}) {
            Posix.get().stopIgnoring(signal);
        }
        Signal.handle(new Signal("TERM"), s -> host.stop());
        Signal.handle(new Signal("INT"), s -> host.stop());
        Signal.handle(new Signal("HUP"), s -> host.reload());
        Signal.handle(new Signal("USR1"), s -> host.reopenLogs());
        try {
            return host.awaitExit();
        } catch (IOException e) {
            err.println("zygote-host: " + e.getMessage());
            return 1;
        }
    }

    private static int daemon(Path configFile, PrintStream out, PrintStream err) throws IOException {
        Optional<HostConfig> config = load(configFile, err);
        return config.isEmpty() ? 1 : Daemon.start(config.get(), configFile, out, err);
    }

    /** The config, then what the host would meet at start: each app's jars and class. */
    private static int check(Path configFile, PrintStream out, PrintStream err) {
        Optional<HostConfig> loaded = load(configFile, err);
        if (loaded.isEmpty()) {
            return 1;
        }
        HostConfig config = loaded.get();
        List<String> problems = new ArrayList<>();
        for (AppConfig app : config.apps().values()) {
            try {
                Release release = Release.resolve(app);
                if (!containsClass(release, app.className())) {
                    problems.add(configFile + ": app " + app.name() + ": class " + app.className() + " is in none of "
                            + release.jars());
                }
            } catch (IOException e) {
                problems.add(configFile + ": app " + app.name() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            return 1;
        }
        out.println(configFile + ": ok, " + config.apps().size() + " apps: " + String.join(", ", config.apps().keySet()));
        return 0;
    }

    private static boolean containsClass(Release release, String className) throws IOException {
        String entry = className.replace('.', '/') + ".class";
        for (Path jar : release.jars()) {
            try (JarFile file = new JarFile(jar.toFile())) {
                if (file.getEntry(entry) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int signalHost(Path configFile, int signal, boolean waitForExit, PrintStream out, PrintStream err)
            throws Exception {
        Optional<Integer> pid = runningHost(configFile, err);
        if (pid.isEmpty()) {
            return 1;
        }
        Posix.get().signal(pid.get(), signal);
        if (!waitForExit) {
            out.println("sent " + Signals.name(signal) + " to zygote-host (pid " + pid.get() + ")");
            return 0;
        }
        // Not onExit(): for a process that is not our child, the JDK looks every 300 ms and more (ProcessHandleImpl).
        Optional<ProcessHandle> host = ProcessHandle.of(pid.get());
        while (host.isPresent() && host.get().isAlive()) {
            Thread.sleep(EXIT_POLL_MILLIS);
        }
        out.println("zygote-host (pid " + pid.get() + ") stopped");
        return 0;
    }

    /**
     * Asks the host to reload and waits for the outcome of every app's deploy: exit 0 when all went
     * through, 1 when the config was refused or a deploy was abandoned (the old version then serves on).
     */
    private static int reload(Path configFile, PrintStream out, PrintStream err) throws Exception {
        Optional<HostConfig> config = load(configFile, err);
        if (config.isEmpty() || runningHost(config.get(), err).isEmpty()) {
            return 1;
        }
        try (Connection connection = connectToHost(config.get())) {
            connection.send(new Message.Reload());
            Optional<Message> answer = connection.receive();
            if (answer.isEmpty() || !(answer.get() instanceof Message.ReloadDone done)) {
                err.println("zygote-host: the host closed the connection before answering (is it stopping?)");
                return 1;
            }
            done.lines().forEach(done.ok() ? out::println : err::println);
            return done.ok() ? 0 : 1;
        }
    }

    /** {@code status [--json] [CONFIG]}: the flag may come before or after the config. */
    private static int status(String[] args, PrintStream out, PrintStream err) throws IOException {
        List<String> operands = new ArrayList<>(List.of(args));
        boolean json = operands.remove("--json");
        if (operands.size() > 1 || operands.stream().anyMatch(a -> a.startsWith("-"))) {
            return usage(err, "status takes [--json] [CONFIG], got: " + String.join(" ", args));
        }
        Path configFile = operands.isEmpty() ? DEFAULT_CONFIG : Path.of(operands.getFirst());
        Optional<HostConfig> config = load(configFile, err);
        if (config.isEmpty()) {
            return 1;
        }
        Optional<Integer> pid = runningHost(config.get(), err);
        if (pid.isEmpty()) {
            return 1;
        }
        return StatusCommand.run(config.get(), pid.get(), json, out, err);
    }

    /** A control connection to the host running from the config, introduced as the command line. */
    static Connection connectToHost(HostConfig config) throws IOException {
        Connection connection = Connection.connect(config.host().runDir().resolve("ipc.sock"));
        try {
            connection.send(new Message.Hello(Message.Role.CLI, 0, 0, (int) ProcessHandle.current().pid()));
            return connection;
        } catch (IOException e) {
            connection.close();
            throw e;
        }
    }

    private static Optional<Integer> runningHost(Path configFile, PrintStream err) {
        return load(configFile, err).flatMap(config -> runningHost(config, err));
    }

    private static Optional<Integer> runningHost(HostConfig config, PrintStream err) {
        Optional<Integer> pid = PidFile.runningHost(config.host().runDir());
        if (pid.isEmpty()) {
            err.println("zygote-host: no host is running from " + config.file() + " (no live pid in "
                    + config.host().runDir().resolve(PidFile.NAME) + ")");
        }
        return pid;
    }

    /** The config, or empty after printing every problem in it (file:line:column and the fix). */
    static Optional<HostConfig> load(Path configFile, PrintStream err) {
        try {
            return Optional.of(ConfigLoader.load(configFile));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Optional.empty();
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("zygote-host: " + problem);
        err.println(USAGE);
        return 2;
    }
}
