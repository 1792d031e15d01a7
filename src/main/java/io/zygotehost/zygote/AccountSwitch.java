package io.zygotehost.zygote;

import io.zygotehost.ipc.GenerationSpec;
import io.zygotehost.ipc.RunAs;
import io.zygotehost.process.Credentials;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The zygote of an app with {@code user:}/{@code group:} becomes that user before it loads the
 * app, so the canary, the workers and the AOT training all run as it. Then, as that user, it checks
 * what its workers will need: a file they cannot reach would otherwise fail each worker at its
 * start, a crash loop with the reason in no place the master sees.
 */
final class AccountSwitch {

    private AccountSwitch() {}

    /** Empty when the switch (if any) is done and the workers will find what they need; else why not. */
    static Optional<String> apply(GenerationSpec spec) {
        RunAs runAs = spec.runAs();
        if (runAs == null) {
            return Optional.empty();
        }
        try {
            Credentials.become(runAs.user(), runAs.uid(), runAs.gid());
        } catch (IOException e) {
            return Optional.of("cannot run as " + runAs.describe() + ": " + e.getMessage());
        }
        List<String> closed = unreachable(spec);
        if (closed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("running as " + runAs.describe() + ", its workers could not use " + String.join(", ", closed)
                + ". Fix: open every folder above them to that user (e.g. chmod o+x) and make the files readable by it");
    }

    /** access(2) with the ids we now have: the kernel's own answer, supplementary groups and ACLs included. */
    private static List<String> unreachable(GenerationSpec spec) {
        List<String> closed = new ArrayList<>();
        if (!Files.isWritable(spec.ipcSocket())) {
            closed.add(spec.ipcSocket() + " (the master's control socket)");
        }
        Path java = Path.of(spec.workerCommand().getFirst());
        if (!Files.isExecutable(java)) {
            closed.add(java + " (java)");
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty() && !Files.isReadable(Path.of(entry))) {
                closed.add(entry);
            }
        }
        if (spec.aotCache() != null && !Files.isWritable(spec.aotCache().file().getParent())) {
            closed.add(spec.aotCache().file().getParent() + " (its AOT cache folder)");
        }
        if (spec.tls() != null) {
            for (Path file : List.of(spec.tls().cert(), spec.tls().key())) {
                if (!Files.isReadable(file)) {
                    closed.add(file + " (its TLS copy)");
                }
            }
        }
        return closed;
    }
}
