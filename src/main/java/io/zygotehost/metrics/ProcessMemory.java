package io.zygotehost.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The memory of one process, read from Linux's {@code /proc/PID/smaps_rollup} (kernel 4.14 or newer).
 *
 * <p>Limits use PSS, not RSS. Workers are new JVMs (posix_spawn, not fork), yet they share a lot: the
 * JDK's class data archive, libjvm and the jars are mapped from the same files by the zygote and every
 * worker of every app. RSS counts each shared page in full in every process that maps it, so the RSS of all
 * workers adds up to more than the machine holds. PSS (proportional set size) charges a page shared by
 * N processes 1/N to each, so the PSS of all processes adds up to the memory really used, and a
 * worker's PSS grows with what it alone holds (its heap), which is what {@code max_worker_memory} is
 * meant to catch. RSS stays here for people comparing with {@code ps} and {@code top}.
 *
 * @param pss proportional set size, in bytes
 * @param rss resident set size, in bytes
 */
public record ProcessMemory(long pss, long rss) {

    private static final long KIB = 1024;
    private static final double MIB = 1024.0 * 1024.0;

    public ProcessMemory {
        if (pss < 0 || rss < 0) {
            throw new IllegalArgumentException("memory cannot be negative (pss=" + pss + " rss=" + rss + ")");
        }
    }

    /**
     * Reads the memory of process {@code pid}. Empty when it cannot be read: no pid yet (0), the
     * process is gone, is a zombie (its file is empty then), or belongs to another user we may not inspect.
     *
     * @throws IllegalArgumentException if the file's text is not in the format {@link #parse} knows
     *                                  (a kernel change should be loud)
     */
    public static Optional<ProcessMemory> of(int pid) {
        if (pid <= 0) {
            return Optional.empty(); // not known yet (a worker before its zygote reported it)
        }
        String text;
        try {
            text = Files.readString(Path.of("/proc", Integer.toString(pid), "smaps_rollup"));
        } catch (IOException | SecurityException e) {
            // NoSuchFileException (exited and reaped), AccessDeniedException, ESRCH mid-read: all mean "no figure now".
            return Optional.empty();
        }
        if (text.isBlank()) {
            return Optional.empty(); // a zombie: its address space is already gone
        }
        return Optional.of(parse(text));
    }

    /**
     * Parses the text of a {@code smaps_rollup} file: a header line (the address range and
     * {@code [rollup]}), then one {@code Name:   value kB} line per field. Only {@code Rss} and
     * {@code Pss} are read; {@code Pss_Anon}, {@code Pss_File} and the like are different fields.
     *
     * @throws IllegalArgumentException if {@code Rss} or {@code Pss} is missing, or a value is not a
     *                                  whole number of kB
     */
    public static ProcessMemory parse(String smapsRollupText) {
        long pss = -1;
        long rss = -1;
        for (String line : smapsRollupText.split("\n")) {
            if (line.startsWith("Pss:")) {
                pss = kilobytesToBytes(line);
            } else if (line.startsWith("Rss:")) {
                rss = kilobytesToBytes(line);
            }
        }
        if (pss < 0 || rss < 0) {
            throw new IllegalArgumentException("smaps_rollup has no " + (pss < 0 ? "Pss" : "Rss")
                    + " line: " + firstLine(smapsRollupText));
        }
        return new ProcessMemory(pss, rss);
    }

    /** For logs and the status: {@code "PSS 71 MB, RSS 98 MB"} (MB = 1024 * 1024 bytes, rounded). */
    public String describe() {
        return "PSS " + megabytes(pss) + " MB, RSS " + megabytes(rss) + " MB";
    }

    private static long kilobytesToBytes(String line) {
        // "Pss:                 284 kB": the kernel always writes kB (show_val_kb in fs/proc/task_mmu.c).
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        if (parts.length != 2 || !parts[1].equals("kB")) {
            throw new IllegalArgumentException("smaps_rollup: expected \"NAME: N kB\", got \"" + line + "\"");
        }
        try {
            long kilobytes = Long.parseLong(parts[0]);
            if (kilobytes < 0) {
                throw new NumberFormatException("negative");
            }
            return Math.multiplyExact(kilobytes, KIB);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("smaps_rollup: expected \"NAME: N kB\", got \"" + line + "\"", e);
        }
    }

    /** Bytes in whole MB (1024 * 1024), rounded: the unit of the status columns. */
    public static long megabytes(long bytes) {
        return Math.round(bytes / MIB);
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return '"' + (end < 0 ? text : text.substring(0, end)) + '"';
    }
}
