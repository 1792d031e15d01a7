package io.zygotehost.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs programs the two ways exec must not tell apart, {@code bin/zygote-host exec -cp CP MAIN ARGS} and
 * {@code java -cp CP MAIN ARGS}, as real processes with the same environment; and finds and stops the exec
 * servers it started: every test has its own private folder ({@code TMPDIR}), so its own servers.
 */
final class ExecProcesses implements AutoCloseable {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** The sample programs (src/test/java/io/zygotehost/exec/samples), as a folder: like {@code java -cp .}. */
    static final String SAMPLES = ROOT.resolve("target/test-classes").toString();
    static final String PACKAGE = "io.zygotehost.exec.samples.";
    static final Duration RUN_LIMIT = Duration.ofSeconds(120);

    record Result(int exitCode, byte[] stdout, byte[] stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout:\n" + tail(out()) + "\n--- stderr:\n" + tail(err());
        }

        private static String tail(String text) {
            return text.length() > 3000 ? "..." + text.substring(text.length() - 3000) : text;
        }
    }

    private final Path tmp;
    private final Map<String, String> env = new HashMap<>(System.getenv());

    ExecProcesses(Path tmp) {
        this.tmp = tmp;
        env.remove("XDG_RUNTIME_DIR"); // the private folder goes under TMPDIR
        env.remove("_"); // a shell's "last command": bin/zygote-host, a shell script, changes it as any script would
        env.put("TMPDIR", tmp.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("ZYGOTE_HOST_NO_BUILD", "1"); // the build ran before the integration tests
    }

    /** The user's private folder of exec servers. */
    Path privateDir() {
        return tmp.resolve("zygote-host-exec-" + uid());
    }

    Map<String, String> env() {
        return env;
    }

    /** A run in a spare: --wait, so that one that finds no spare ready yet (a new server's first) waits for one. */
    static List<String> exec(String... args) {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/zygote-host").toString(), "exec", "--wait"));
        command.addAll(List.of(args));
        return command;
    }

    /** A run as a user makes it: in a spare if one is ready, else cold (the client becomes java). */
    static List<String> execOrCold(String... args) {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/zygote-host").toString(), "exec"));
        command.addAll(List.of(args));
        return command;
    }

    static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs to the end with stdin from {@code input}, stdout and stderr into pipes that are read as it runs. */
    Result run(List<String> command, Path directory, Map<String, String> extraEnv, byte[] input) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("PWD", directory.toString()); // as a shell sets it, and the shell of bin/zygote-host does
        builder.environment().putAll(extraEnv);
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> out = readAll(process.getInputStream());
            CompletableFuture<byte[]> err = readAll(process.getErrorStream());
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input);
            } catch (IOException e) {
                // the program did not read all of it: its business
            }
            return new Result(await(process), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(List<String> command) {
        return run(command, ROOT, Map.of(), new byte[0]);
    }

    /** Starts a process whose stdout and stderr go to files. */
    Process start(List<String> command, Path directory, ProcessBuilder.Redirect stdin, Path stdout, Path stderr) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectInput(stdin).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("PWD", directory.toString());
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int await(Process process) {
        try {
            if (!process.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("still running after " + RUN_LIMIT.toSeconds() + " s: " + process.info().commandLine().orElse("?"));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                in.transferTo(bytes);
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, command -> Thread.ofPlatform().daemon().start(command));
    }

    /** The servers of this folder: the pids in their lock files (whether they still live or not). */
    List<Integer> serverPids() {
        if (!Files.isDirectory(privateDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(privateDir())) {
            List<Integer> pids = new ArrayList<>();
            for (Path lock : files.filter(f -> f.toString().endsWith(".lock")).toList()) {
                String text = Files.readString(lock).strip();
                if (!text.isEmpty()) {
                    pids.add(Integer.parseInt(text));
                }
            }
            return pids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one server of this folder, running. */
    ProcessHandle server() {
        List<ProcessHandle> live = serverPids().stream().map(ProcessHandle::of).flatMap(Optional::stream)
                .filter(ProcessHandle::isAlive).toList();
        if (live.size() != 1) {
            throw new AssertionError("expected one live exec server in " + privateDir() + ", found " + live);
        }
        return live.getFirst();
    }

    /** The file of that server: its socket (".sock"), lock (".lock") or log (".log"). */
    Path serverFile(String suffix) {
        try (Stream<Path> files = Files.list(privateDir())) {
            return files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{16}\\" + suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no *" + suffix + " in " + privateDir()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String serverLog() {
        try {
            return Files.readString(serverFile(".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every server of this folder (SIGTERM, then SIGKILL) and checks that none of their processes is left. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        for (int pid : serverPids()) {
            ProcessHandle.of(pid).ifPresent(server -> {
                all.add(server);
                all.addAll(server.descendants().toList());
                server.destroy();
            });
        }
        for (ProcessHandle process : all) {
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
        }
        RunningHost.await("every process of the exec servers gone", Duration.ofSeconds(30),
                () -> all.stream().noneMatch(ProcessHandle::isAlive));
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
