package io.zygotehost.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads the process tree from /proc: pids, parents and process titles (argv[0]). */
final class ProcTree {

    record Proc(int pid, int parent, String title) {}

    private ProcTree() {}

    static List<Proc> all() {
        List<Proc> procs = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (fields[0].equals("Z")) {
                        continue; // a zombie has exited; only its reaping is pending
                    }
                    String cmdline = Files.readString(entry.resolve("cmdline"));
                    int end = cmdline.indexOf('\0');
                    procs.add(new Proc(Integer.parseInt(name), Integer.parseInt(fields[1]),
                            end < 0 ? cmdline : cmdline.substring(0, end)));
                } catch (IOException | RuntimeException e) {
                    // exited while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return procs;
    }

    static List<Proc> childrenOf(int pid) {
        return all().stream().filter(p -> p.parent() == pid).toList();
    }

    /** Every live process whose title starts with the given text, e.g. "zygote-host: worker hello@". */
    static List<Proc> titled(String prefix) {
        return all().stream().filter(p -> p.title().startsWith(prefix)).toList();
    }

    /** A zygote's AOT training run (a worker JVM that serves nobody), there for a few seconds after a version starts. */
    static boolean isAotTraining(Proc proc) {
        return proc.title().startsWith("zygote-host: aot training ");
    }

    /** The children of a process, without an AOT training run that may still be going. */
    static List<Proc> childrenBesidesTraining(int pid) {
        return childrenOf(pid).stream().filter(p -> !isAotTraining(p)).toList();
    }

    static boolean alive(int pid) {
        return all().stream().anyMatch(p -> p.pid() == pid);
    }
}
