package io.zygotehost.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** {@code run_dir/zygote-host.pid}: how the command line finds the running host, and how a second host is refused. */
public final class PidFile {

    public static final String NAME = "zygote-host.pid";

    private PidFile() {}

    /** The pid of a live master that wrote this file; empty if there is none (a stale file is ignored). */
    public static Optional<Integer> runningHost(Path runDir) {
        Path file = runDir.resolve(NAME);
        try {
            int pid = Integer.parseInt(Files.readString(file).trim());
            String cmdline = Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline"));
            return cmdline.contains("zygote-host") || cmdline.contains("io.zygotehost") ? Optional.of(pid) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static void write(Path runDir, int pid) throws IOException {
        Path file = runDir.resolve(NAME);
        Path temporary = runDir.resolve(NAME + ".tmp");
        Files.writeString(temporary, pid + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public static void remove(Path runDir) {
        try {
            Files.deleteIfExists(runDir.resolve(NAME));
        } catch (IOException ignored) {
            // a stale pid file is recognized as stale by runningHost
        }
    }
}
