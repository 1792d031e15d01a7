package io.zygotehost.admin;

import io.zygotehost.config.Durations;
import io.zygotehost.config.Sizes;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.AppNotices;
import io.zygotehost.status.HostStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The admin endpoint's page: what {@code bin/zygote-host status} prints, as HTML that a phone shows
 * whole (one column, the worker tables scroll sideways on their own), reloading itself every few
 * seconds. One file: inline style, no script, no font or image to fetch. What needs an operator
 * carries the class {@code bad}, as {@code !!} marks it in the text. Pure: a snapshot in, the page out.
 */
final class StatusPage {

    /** Seconds between reloads: the figures change once a second (heartbeats), a person reads slower. */
    static final int REFRESH_SECONDS = 5;
    private static final List<String> WORKER_COLUMNS =
            List.of("worker", "pid", "state", "age", "requests", "in flight", "stuck", "PSS MB", "RSS MB");
    private static final String STYLE = """
            :root { color-scheme: light dark; --bad: #c62828; --muted: #777; --line: #8884; }
            body { font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
                   padding: 0.75rem; max-width: 64rem; }
            h1 { font-size: 1.3rem; margin: 0 0 0.25rem; }
            h2 { font-size: 1.15rem; margin: 0 0 0.25rem; }
            h3 { font-size: 1rem; margin: 0.75rem 0 0.25rem; }
            p { margin: 0.2rem 0; }
            section.app { border-top: 1px solid var(--line); padding: 0.75rem 0; }
            .muted, small { color: var(--muted); }
            .bad { color: var(--bad); font-weight: 600; }
            .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
            table { border-collapse: collapse; font-variant-numeric: tabular-nums; white-space: nowrap; }
            th, td { padding: 0.15rem 0.6rem 0.15rem 0; text-align: right; border-bottom: 1px solid var(--line); }
            th { font-weight: 600; font-size: 0.85rem; }
            th:first-child, td:first-child, td.state, th.state { text-align: left; }
            ul { margin: 0.2rem 0; padding-left: 1.2rem; }
            footer { border-top: 1px solid var(--line); padding-top: 0.5rem; font-size: 0.9rem; }
            """;

    private StatusPage() {}

    /** @param token the {@code ?token=} the page was asked with, kept in its links so they work in the same browser */
    static String render(HostStatus status, Optional<String> token) {
        StringBuilder html = new StringBuilder(8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">\n")
                .append("<title>zygote-host (pid ").append(status.pid()).append(")</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        header(status, html);
        for (HostStatus.App app : status.apps()) {
            app(app, status.takenAt(), html);
        }
        String query = token.map(t -> "?token=" + URLEncoder.encode(t, StandardCharsets.UTF_8)).orElse("");
        html.append("<footer>As of ").append(escape(status.takenAt().truncatedTo(ChronoUnit.SECONDS).toString())).append(", refreshed every ")
                .append(REFRESH_SECONDS).append(" s. <a href=\"/status.json").append(escape(query))
                .append("\">status.json</a> · <a href=\"/metrics").append(escape(query)).append("\">metrics</a></footer>\n")
                .append("</body>\n</html>\n");
        return html.toString();
    }

    private static void header(HostStatus status, StringBuilder html) {
        long processes = status.apps().stream().flatMap(app -> app.generations().stream())
                .mapToLong(g -> (g.zygote() == null ? 0 : 1) + g.workers().size()).sum();
        html.append("<header>\n<h1>zygote-host</h1>\n");
        paragraph(html, "muted", "pid %d, up %s, config %s", status.pid(), since(status.startedAt(), status.takenAt()),
                status.config());
        paragraph(html, "", "memory: %s in %d processes%s%s", status.memory().describe(), processes,
                status.memoryLimit() > 0 ? ", memory_limit " + Sizes.format(status.memoryLimit()) : "",
                status.master() == null ? "" : "; the master " + status.master().describe());
        HostStatus.Reload reload = status.lastReload();
        if (reload == null) {
            paragraph(html, "", "last reload: none");
        } else {
            paragraph(html, reload.ok() ? "" : "bad", "last reload: %s ago, %s", since(reload.at(), status.takenAt()),
                    reload.ok() ? "ok" : "FAILED");
            list(html, reload.lines());
        }
        html.append("</header>\n");
    }

    private static void app(HostStatus.App app, Instant now, StringBuilder html) {
        html.append("<section class=\"app\" id=\"app-").append(escape(app.name())).append("\" data-app=\"")
                .append(escape(app.name())).append("\">\n<h2>").append(escape(app.name())).append(" <small>")
                .append(escape(app.listen())).append("</small></h2>\n");
        paragraph(html, "muted", "%d %s, max_workers %d, spares %d%s", app.workers(), app.workers() == 1 ? "worker" : "workers",
                app.maxWorkers(), app.spares(), app.memoryBudget() > 0 ? ", memory " + Sizes.format(app.memoryBudget()) : "");
        for (AppNotices.Notice notice : AppNotices.of(app, now)) {
            paragraph(html, notice.needsOperator() ? "bad" : "", "%s", notice.text());
        }
        HostStatus.LastDeploy last = app.lastDeploy();
        if (last != null) {
            paragraph(html, last.outcome().equals("done") ? "" : "bad", "last deploy: %s%s %s in %s, %s ago%s",
                    last.from() == null ? "" : last.from() + " -> ", last.to(), last.outcome(),
                    Durations.approximate(Duration.between(last.startedAt(), last.endedAt())), since(last.endedAt(), now),
                    last.why() == null ? "" : ": " + last.why());
        }
        paragraph(html, "muted", "spawned %s; exits: %s", spawns(app.spawns()), exits(app.exits()));
        traffic(app, html);
        for (HostStatus.Generation generation : app.generations()) {
            generation(generation, now, html);
        }
        html.append("</section>\n");
    }

    /** Per version: requests by status class and latency percentiles, estimated from the merged buckets. */
    private static void traffic(HostStatus.App app, StringBuilder html) {
        if (app.traffic().isEmpty()) {
            return;
        }
        html.append("<div class=\"scroll\"><table class=\"traffic\">\n");
        row(html, "th", "", List.of("version", "requests", "2xx", "3xx", "4xx", "5xx", "p50", "p90", "p99"));
        app.traffic().forEach((version, traffic) -> row(html, "td", traffic.responses(5) > 0 ? "bad" : "", List.of(version,
                Long.toString(traffic.requests()), Long.toString(traffic.responses(2)), Long.toString(traffic.responses(3)),
                Long.toString(traffic.responses(4)), Long.toString(traffic.responses(5)), latency(traffic, 0.5),
                latency(traffic, 0.9), latency(traffic, 0.99))));
        html.append("</table></div>\n");
    }

    private static void generation(HostStatus.Generation generation, Instant now, StringBuilder html) {
        HostStatus.Zygote zygote = generation.zygote();
        html.append("<h3>").append(escape(generation.version())).append(" <small>").append(escape(generation.role()))
                .append(", ").append(escape(generation.phase())).append(", ").append(escape(generation.contentHash()))
                .append("</small></h3>\n");
        if (generation.failure() != null) {
            paragraph(html, "bad", "%s: %s", generation.crashStreak() > 0
                    ? generation.crashStreak() + " died young in a row, the last" : "failed", generation.failure());
        }
        paragraph(html, "muted", "%s", zygote == null ? "no zygote" : "zygote %d %s, up %s, %s".formatted(zygote.pid(),
                zygote.state(), since(zygote.startedAt(), now), memory(zygote.memory())));
        if (generation.workers().isEmpty()) {
            return;
        }
        html.append("<div class=\"scroll\"><table class=\"workers\">\n");
        row(html, "th", "", WORKER_COLUMNS);
        for (HostStatus.Worker worker : generation.workers()) {
            ProcessMemory memory = worker.memory();
            boolean needsLook = worker.state().equals("hung") || worker.stuck() > 0;
            html.append("<tr class=\"worker").append(needsLook ? " bad" : "").append("\" data-pid=\"").append(worker.pid())
                    .append("\">");
            cell(html, "id", "#" + worker.id());
            cell(html, "pid", worker.pid() == 0 ? "-" : Integer.toString(worker.pid()));
            cell(html, "state", worker.state() + (worker.spare() && !worker.state().startsWith("spare") ? " (was a spare)" : ""));
            cell(html, "age", since(worker.startedAt(), now));
            cell(html, "requests", Long.toString(worker.requests()));
            cell(html, "in-flight", Integer.toString(worker.inFlight()));
            cell(html, "stuck", Integer.toString(worker.stuck()));
            cell(html, "pss", memory == null ? "-" : Long.toString(ProcessMemory.megabytes(memory.pss())));
            cell(html, "rss", memory == null ? "-" : Long.toString(ProcessMemory.megabytes(memory.rss())));
            html.append("</tr>\n");
        }
        html.append("</table></div>\n");
    }

    /** "1.2 ms" or "2.50 s"; "-" with nothing counted. The estimate is Prometheus's: linear within a bucket. */
    static String latency(Traffic traffic, double q) {
        double seconds = traffic.latencyQuantile(q);
        if (Double.isNaN(seconds)) {
            return "-";
        }
        return seconds < 1 ? String.format(Locale.ROOT, "%.1f ms", seconds * 1000) : String.format(Locale.ROOT, "%.2f s", seconds);
    }

    /** "4 workers, 1 zygote". */
    private static String spawns(Map<String, Long> byKind) {
        return byKind.entrySet().stream().map(e -> count(e.getValue(), e.getKey())).collect(Collectors.joining(", "));
    }

    /** "1 worker crashed, 3 workers stopped", or "none". */
    private static String exits(Map<String, Map<String, Long>> byKind) {
        String exits = byKind.entrySet().stream().flatMap(kind -> kind.getValue().entrySet().stream().filter(cause -> cause.getValue() > 0)
                        .map(cause -> count(cause.getValue(), kind.getKey()) + " " + cause.getKey().replace('_', ' ')))
                .collect(Collectors.joining(", "));
        return exits.isEmpty() ? "none" : exits;
    }

    private static String count(long n, String kind) {
        return n + " " + kind + (n == 1 ? "" : "s");
    }

    private static void row(StringBuilder html, String tag, String cssClass, List<String> cells) {
        html.append(cssClass.isEmpty() ? "<tr>" : "<tr class=\"" + cssClass + "\">");
        cells.forEach(text -> html.append('<').append(tag).append('>').append(escape(text)).append("</").append(tag).append('>'));
        html.append("</tr>\n");
    }

    private static void cell(StringBuilder html, String cssClass, String text) {
        html.append("<td class=\"").append(cssClass).append("\">").append(escape(text)).append("</td>");
    }

    private static void paragraph(StringBuilder html, String cssClass, String format, Object... args) {
        html.append(cssClass.isEmpty() ? "<p>" : "<p class=\"" + cssClass + "\">").append(escape(format.formatted(args)))
                .append("</p>\n");
    }

    private static void list(StringBuilder html, List<String> items) {
        html.append("<ul>");
        items.forEach(item -> html.append("<li>").append(escape(item)).append("</li>"));
        html.append("</ul>\n");
    }

    private static String memory(ProcessMemory memory) {
        return memory == null ? "not measured yet" : memory.describe();
    }

    private static String since(Instant start, Instant now) {
        return Durations.approximate(Duration.between(start, now));
    }

    /** Text into HTML, in an element or a quoted attribute: app names, versions and failures are the user's. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
