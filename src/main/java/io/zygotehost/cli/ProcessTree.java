package io.zygotehost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The host's process tree as {@code /proc} shows it: each process's title, as {@code ps -ef} would. */
final class ProcessTree {

    private ProcessTree() {}

    static void print(int root, PrintStream out) throws IOException {
        Map<Integer, List<Integer>> children = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                int parent = parentOf(entry);
                if (parent > 0) {
                    children.computeIfAbsent(parent, p -> new ArrayList<>()).add(Integer.parseInt(name));
                }
            }
        }
        print(root, "", children, out);
    }

    private static void print(int pid, String indent, Map<Integer, List<Integer>> children, PrintStream out) {
        out.printf("%s%d %s%n", indent, pid, title(pid));
        for (int child : children.getOrDefault(pid, List.of()).stream().sorted().toList()) {
            print(child, indent + "  ", children, out);
        }
    }

    private static int parentOf(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            // The command name in parentheses may hold spaces: the fields after its closing ')' are fixed.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[1]);
        } catch (IOException | RuntimeException e) {
            return -1; // it exited while we looked
        }
    }

    private static String title(int pid) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline"));
            int end = cmdline.indexOf('\0');
            return end < 0 ? cmdline : cmdline.substring(0, end);
        } catch (IOException e) {
            return "?";
        }
    }
}
