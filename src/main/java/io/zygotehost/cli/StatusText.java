package io.zygotehost.cli;

import io.zygotehost.config.Durations;
import io.zygotehost.config.Sizes;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.status.AppNotices;
import io.zygotehost.status.HostStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/zygote-host status} for people: the host, then per app its versions and their workers,
 * one line per worker in columns aligned across the whole output. What needs an operator (a
 * problem, a crash loop, a memory cap, a hung worker or stuck handlers) starts with {@code !!}, or
 * with {@code !} in the margin of a worker's line, so it can be found with grep. Pure: the same
 * snapshot gives the same text.
 */
final class StatusText {

    private static final List<String> HEADER =
            List.of("WORKER", "PID", "STATE", "AGE", "REQUESTS", "IN-FLIGHT", "STUCK", "PSS MB", "RSS MB");
    /** Columns aligned left (text); the others are numbers, aligned right. */
    private static final List<Integer> LEFT = List.of(0, 2, 3);

    private StatusText() {}

    static String render(HostStatus status) {
        StringBuilder text = new StringBuilder();
        host(status, text);
        int[] widths = widths(status);
        for (HostStatus.App app : status.apps()) {
            text.append('\n');
            app(app, status.takenAt(), widths, text);
        }
        return text.toString();
    }

    private static void host(HostStatus status, StringBuilder text) {
        long processes = status.apps().stream().flatMap(app -> app.generations().stream())
                .mapToLong(g -> (g.zygote() == null ? 0 : 1) + g.workers().size()).sum();
        line(text, "", "zygote-host (pid %d), up %s, config %s", status.pid(),
                since(status.startedAt(), status.takenAt()), status.config());
        line(text, "", "memory: %s in %s%s%s", status.memory().describe(), count(processes, "process", "processes"),
                status.memoryLimit() > 0 ? ", memory_limit " + Sizes.format(status.memoryLimit()) : "",
                status.master() == null ? "" : "; the master " + status.master().describe());
        HostStatus.Reload reload = status.lastReload();
        if (reload == null) {
            line(text, "", "last reload: none");
            return;
        }
        line(text, "", "%slast reload: %s ago, %s", reload.ok() ? "" : "!! ", since(reload.at(), status.takenAt()),
                reload.ok() ? "ok" : "FAILED");
        reload.lines().forEach(l -> line(text, "  ", "%s", l.replace("\n", "\n    ")));
    }

    private static void app(HostStatus.App app, Instant now, int[] widths, StringBuilder text) {
        line(text, "", "%s on %s: %s, max_workers %d, spares %d%s", app.name(), app.listen(),
                count(app.workers(), "worker", "workers"),
                app.maxWorkers(), app.spares(), app.memoryBudget() > 0 ? ", memory " + Sizes.format(app.memoryBudget()) : "");
        for (AppNotices.Notice notice : AppNotices.of(app, now)) {
            line(text, "  ", "%s%s", notice.needsOperator() ? "!! " : "", notice.text());
        }
        for (HostStatus.Generation generation : app.generations()) {
            generation(generation, now, widths, text);
        }
    }

    private static void generation(HostStatus.Generation generation, Instant now, int[] widths, StringBuilder text) {
        HostStatus.Zygote zygote = generation.zygote();
        String streak = generation.crashStreak() == 0 ? ""
                : ", %d died young in a row (the last: %s)".formatted(generation.crashStreak(), generation.failure());
        line(text, "  ", "%s %s, %s, %s%s: %s", generation.version(), generation.role(), generation.phase(),
                generation.contentHash(), generation.phase().equals("failed") ? " (" + generation.failure() + ")" : streak,
                zygote == null ? "no zygote" : "zygote %d %s, up %s, %s".formatted(zygote.pid(), zygote.state(),
                        since(zygote.startedAt(), now), memory(zygote.memory())));
        if (generation.workers().isEmpty()) {
            return;
        }
        row(text, " ", HEADER, widths);
        for (HostStatus.Worker worker : generation.workers()) {
            boolean needsLook = worker.state().equals("hung") || worker.stuck() > 0;
            row(text, needsLook ? "!" : " ", cells(worker, now), widths);
        }
    }

    private static List<String> cells(HostStatus.Worker worker, Instant now) {
        ProcessMemory memory = worker.memory();
        return List.of("#" + worker.id(), worker.pid() == 0 ? "-" : Integer.toString(worker.pid()), worker.state(),
                since(worker.startedAt(), now), Long.toString(worker.requests()), Integer.toString(worker.inFlight()),
                Integer.toString(worker.stuck()), memory == null ? "-" : Long.toString(ProcessMemory.megabytes(memory.pss())),
                memory == null ? "-" : Long.toString(ProcessMemory.megabytes(memory.rss())));
    }

    /** The widest cell of each column over every worker of every app, so all the tables line up. */
    private static int[] widths(HostStatus status) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        status.apps().stream().flatMap(app -> app.generations().stream()).flatMap(g -> g.workers().stream())
                .forEach(worker -> rows.add(cells(worker, status.takenAt())));
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        return widths;
    }

    /** A worker line: four columns of indent, the margin mark in the third. */
    private static void row(StringBuilder text, String mark, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder("  ").append(mark).append(' ');
        for (int i = 0; i < cells.size(); i++) {
            String format = "%" + (LEFT.contains(i) ? "-" : "") + widths[i] + "s";
            line.append(i == 0 ? "" : "  ").append(format.formatted(cells.get(i)));
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }

    private static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String memory(ProcessMemory memory) {
        return memory == null ? "not measured yet" : memory.describe();
    }

    private static String since(Instant start, Instant now) {
        return Durations.approximate(Duration.between(start, now));
    }

    private static void line(StringBuilder text, String indent, String format, Object... args) {
        text.append(indent).append(format.formatted(args)).append('\n');
    }
}
