package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The real host, started as a user starts it ({@code bin/zygote-host CONFIG}) from a config in a
 * temporary folder. {@link #close} leaves nothing behind: it stops the host and then kills every
 * process of its tree that it ever saw, even those orphaned by a test that killed the master.
 */
final class RunningHost implements AutoCloseable {

    static final Path ROOT = Path.of(System.getProperty("user.dir"));
    static final Path HELLO_V1 = ROOT.resolve("examples/hello/v1");
    static final Path HELLO_V2 = ROOT.resolve("examples/hello/v2");
    static final Path SLOW = ROOT.resolve("examples/slow/1.0");

    final Path dir;
    final Path config;
    final Path output;
    final Process process;
    private final Set<Integer> seen = new HashSet<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Extra host: settings, kept by {@link #rewrite}. */
    private final String hostSettings;

    private RunningHost(Path dir, Path config, String hostSettings, Process process) {
        this.dir = dir;
        this.hostSettings = hostSettings;
        this.config = config;
        this.output = dir.resolve("host.out");
        this.process = process;
        seen.add((int) process.pid());
    }

    /** Writes {@code host:} settings for the temp dir, then the given {@code apps:} block, and starts the host. */
    static RunningHost start(Path dir, String appsYaml) throws IOException {
        return start(dir, "", appsYaml, Map.of());
    }

    /** The same, with more {@code host:} settings (one per line). */
    static RunningHost start(Path dir, String hostSettings, String appsYaml) throws IOException {
        return start(dir, hostSettings, appsYaml, Map.of());
    }

    /** The same, with these variables added to the host's environment. */
    static RunningHost start(Path dir, String appsYaml, Map<String, String> env) throws IOException {
        return start(dir, "", appsYaml, env);
    }

    /** Started as {@code nohup bin/zygote-host ...}: with SIGHUP ignored, as the host inherits it. */
    static RunningHost startUnderNohup(Path dir, String appsYaml) throws IOException {
        Path config = writeConfig(dir, "", appsYaml);
        return new RunningHost(dir, config, "", launch(dir, Map.of(), List.of("nohup"), "run", config.toString()));
    }

    private static RunningHost start(Path dir, String hostSettings, String appsYaml, Map<String, String> env)
            throws IOException {
        Path config = writeConfig(dir, hostSettings, appsYaml);
        return new RunningHost(dir, config, hostSettings, launch(dir, env, List.of(), "run", config.toString()));
    }

    static Path writeConfig(Path dir, String appsYaml) throws IOException {
        return writeConfig(dir, "", appsYaml);
    }

    private static Path writeConfig(Path dir, String hostSettings, String appsYaml) throws IOException {
        Path config = dir.resolve("apps.yml");
        Files.writeString(config, """
                host:
                  run_dir: run
                  log_dir: logs
                  shutdown_timeout: 20s
                """ + hostSettings.stripIndent().indent(2) + "apps:\n" + appsYaml.stripIndent().indent(2));
        return config;
    }

    /** An {@code apps:} entry for the hello example from the given release, with more settings (one per line). */
    static String hello(Path release, int port, String settings) {
        return """
                hello:
                  path: %s
                  class: example.hello.HelloApp
                  listen: 127.0.0.1:%d
                """.formatted(release, port) + settings.indent(2);
    }

    /** An {@code apps:} entry for the slow example ({@code GET /?ms=N} sleeps on a handler thread), with more settings. */
    static String slow(int port, String settings) {
        return """
                slow:
                  path: %s
                  class: example.slow.SlowApp
                  listen: 127.0.0.1:%d
                """.formatted(SLOW, port) + settings.indent(2);
    }

    /** Runs bin/zygote-host with the given arguments; its output goes to dir/host.out. */
    static Process launch(Path dir, String... args) throws IOException {
        return launch(dir, Map.of(), args);
    }

    static Process launch(Path dir, Map<String, String> env, String... args) throws IOException {
        return launch(dir, env, List.of(), args);
    }

    /** @param wrapper a command that runs bin/zygote-host, such as {@code nohup}; empty for none */
    private static Process launch(Path dir, Map<String, String> env, List<String> wrapper, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(wrapper);
        command.add(ROOT.resolve("bin/zygote-host").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("host.out").toFile()));
        builder.environment().putAll(env);
        builder.environment().put("ZYGOTE_HOST_NO_BUILD", "1"); // the build ran before the tests
        return builder.start();
    }

    /** The outcome of a bin/zygote-host command. */
    record Result(int exit, String output) {}

    /** Runs bin/zygote-host COMMAND [FLAGS] CONFIG to its end (bounded) and returns what it said. */
    Result command(String command, String... flags) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, command, ".out");
        List<String> argv = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/zygote-host").toString(), command));
        argv.addAll(List.of(flags));
        argv.add(config.toString());
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("ZYGOTE_HOST_NO_BUILD", "1");
        Process process = builder.start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("bin/zygote-host " + command + " did not end within 180s");
        }
        return new Result(process.exitValue(), Files.readString(out));
    }

    /** Rewrites the apps: block of this host's config (for the next reload). */
    void rewrite(String appsYaml) throws IOException {
        writeConfig(dir, hostSettings, appsYaml);
    }

    /** Points the symlink at the target in one step, as a deploy tool should (a rename, never a remove and create). */
    static void pointAt(Path link, String target) throws IOException {
        Path temporary = link.resolveSibling(link.getFileName() + ".new");
        Files.deleteIfExists(temporary);
        Files.createSymbolicLink(temporary, Path.of(target));
        Files.move(temporary, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    int pid() {
        return (int) process.pid();
    }

    /** The live processes of the tree whose title starts with the prefix; remembered for cleanup. */
    List<ProcTree.Proc> processes(String titlePrefix) {
        List<ProcTree.Proc> found = ProcTree.titled(titlePrefix).stream().filter(p -> descends(p.pid())).toList();
        found.forEach(p -> seen.add(p.pid()));
        return found;
    }

    List<ProcTree.Proc> workers(String app) {
        return processes("zygote-host: worker " + app + "@");
    }

    List<ProcTree.Proc> zygotes(String app) {
        return processes("zygote-host: zygote " + app + "@");
    }

    /** Ours: the master or a descendant of it, or a process we saw before (an orphan keeps its title). */
    private boolean descends(int pid) {
        if (seen.contains(pid)) {
            return true;
        }
        List<ProcTree.Proc> all = ProcTree.all();
        for (int current = pid, hops = 0; current > 1 && hops < 10; hops++) {
            if (current == pid()) {
                return true;
            }
            int at = current;
            current = all.stream().filter(p -> p.pid() == at).map(ProcTree.Proc::parent).findFirst().orElse(0);
        }
        return false;
    }

    /** Waits until the host has {@code count} ready workers of the app (a request reached each) or fails after the limit. */
    void awaitWorkers(String app, int count) {
        await("the master log says " + count + " workers of " + app + " are ready", Duration.ofSeconds(60),
                () -> workers(app).size() == count && readyWorkers(app) >= count);
    }

    private long readyWorkers(String app) {
        try {
            String log = Files.readString(dir.resolve("logs/zygote-host.log"));
            Set<Integer> livePids = new HashSet<>(workers(app).stream().map(ProcTree.Proc::pid).toList());
            return log.lines().filter(l -> l.contains("worker " + app + "@") && l.contains(") ready in "))
                    .map(l -> Integer.parseInt(l.replaceAll(".*\\(pid (\\d+)\\) ready in.*", "$1")))
                    .filter(livePids::contains).distinct().count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The master's log so far ("" before it exists). */
    String log() {
        return read(dir.resolve("logs/zygote-host.log"));
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the master's log holds every one of the texts. */
    void awaitLog(Duration limit, String... texts) {
        await("the master's log says " + String.join(" and ", texts), limit,
                () -> java.util.Arrays.stream(texts).allMatch(log()::contains));
    }

    void sighup() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-HUP", Integer.toString(pid())).start().waitFor();
    }

    String appLog(String app) throws IOException {
        Path file = dir.resolve("logs/" + app + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    String outputText() throws IOException {
        return Files.exists(output) ? Files.readString(output) : "";
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("timed out after " + limit.toSeconds() + "s waiting until " + what);
    }

    /** SIGTERM and wait; the exit status of the master. */
    int stop() throws InterruptedException {
        processes("zygote-host: "); // remember the tree before it goes
        process.toHandle().destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            fail("the host did not stop within 40s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        processes("zygote-host: ");
        if (process.isAlive()) {
            process.toHandle().destroy();
            process.waitFor(40, TimeUnit.SECONDS);
        }
        // Only processes that still carry our titles: a pid may have been reused since.
        ProcTree.all().stream()
                .filter(p -> seen.contains(p.pid()) && p.title().startsWith("zygote-host"))
                .forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
    }
}
