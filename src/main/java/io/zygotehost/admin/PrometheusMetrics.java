package io.zygotehost.admin;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.zygotehost.metrics.LatencyBuckets;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.HostStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * A {@link HostStatus} as Prometheus metric families, in the model of Prometheus's Java client
 * (whose writers print the text formats). Pure: the same snapshot gives the same families.
 *
 * <p>The latency histogram is built here from the workers' fixed buckets, added up per version: a
 * classic Prometheus histogram whose buckets add across versions and hosts too, so
 * {@code histogram_quantile(0.99, sum by (le) (rate(zygote_host_request_duration_seconds_bucket[5m])))}
 * is the 99th percentile of every request. (The client's dropwizard bridge would export a worker's
 * histogram as a summary of precomputed quantiles, which cannot be added.)
 *
 * <p>Labels: {@code app}, {@code version} (series of a version end when its last generation has gone),
 * and per family {@code status} (1xx..5xx), {@code state}, {@code process} (zygote, worker), {@code cause},
 * {@code outcome}. Every known value of those is shown, at 0 until it happens.
 */
final class PrometheusMetrics {

    private static final double[] UPPER_BOUNDS = Stream.concat(LatencyBuckets.BOUNDS.stream(),
            Stream.of(Double.POSITIVE_INFINITY)).mapToDouble(Double::doubleValue).toArray();

    private PrometheusMetrics() {}

    static MetricSnapshots of(HostStatus status) {
        List<MetricSnapshot> families = new ArrayList<>();
        host(status, families);
        List<Version> versions = status.apps().stream().flatMap(PrometheusMetrics::versions).toList();
        List<HostStatus.App> apps = status.apps();

        families.add(counter("zygote_host_requests", "Responses written by the workers of a version, by status class.",
                versions.stream().flatMap(v -> Stream.of(1, 2, 3, 4, 5).map(hundreds -> CounterDataPointSnapshot.builder()
                        .labels(v.labels().add("status", hundreds + "xx")).value(v.traffic().responses(hundreds)).build()))));
        HistogramSnapshot.Builder latency = HistogramSnapshot.builder().name("zygote_host_request_duration_seconds")
                .help("Time from a request's head decoded to its response written, by version.").unit(Unit.SECONDS);
        versions.forEach(v -> latency.dataPoint(HistogramDataPointSnapshot.builder().labels(v.labels())
                .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, v.traffic().latencyBuckets()))
                .sum(v.traffic().latencySumNanos() / 1e9).build()));
        families.add(latency.build());
        families.add(gauge("zygote_host_in_flight_requests", "Requests in a handler, at the workers' last heartbeat.",
                versions.stream().map(v -> point(v.labels(), v.sum(HostStatus.Worker::inFlight)))));
        families.add(gauge("zygote_host_stuck_handlers", "Handlers still running past request_timeout.",
                versions.stream().map(v -> point(v.labels(), v.sum(HostStatus.Worker::stuck)))));
        families.add(gauge("zygote_host_workers", "Worker processes of a version, by state.",
                versions.stream().flatMap(v -> HostStatus.Worker.STATES.stream().map(state -> point(
                        v.labels().add("state", state), v.workers().filter(w -> w.state().equals(state)).count())))));
        families.add(memory("zygote_host_pss_bytes", "PSS", ProcessMemory::pss, versions));
        families.add(memory("zygote_host_rss_bytes", "RSS", ProcessMemory::rss, versions));

        families.add(gauge("zygote_host_app_workers", "Workers the config asks for (workers).",
                apps.stream().map(app -> point(appLabels(app), app.workers()))));
        families.add(gauge("zygote_host_app_worker_cap", "Workers the memory budgets let the app run.",
                apps.stream().map(app -> point(appLabels(app), app.cap()))));
        families.add(gauge("zygote_host_app_problem", "1 when the app does not serve as configured (see status).",
                apps.stream().map(app -> point(appLabels(app), app.problem() == null ? 0 : 1))));
        families.add(gauge("zygote_host_app_crash_loop", "1 while processes of one of its versions keep dying young.",
                apps.stream().map(app -> point(appLabels(app), app.crashLoop() ? 1 : 0))));
        families.add(gauge("zygote_host_app_deploying", "1 while a deploy of the app is under way.",
                apps.stream().map(app -> point(appLabels(app), app.deploy() == null ? 0 : 1))));
        families.add(counter("zygote_host_spawns", "Processes started, by kind.",
                apps.stream().flatMap(app -> app.spawns().entrySet().stream().map(e -> CounterDataPointSnapshot.builder()
                        .labels(appLabels(app).add("process", e.getKey())).value(e.getValue()).build()))));
        families.add(counter("zygote_host_exits", "Processes ended, by kind and cause.",
                apps.stream().flatMap(app -> app.exits().entrySet().stream().flatMap(kind -> kind.getValue().entrySet().stream()
                        .map(cause -> CounterDataPointSnapshot.builder().labels(appLabels(app).add("process", kind.getKey())
                                .add("cause", cause.getKey())).value(cause.getValue()).build())))));
        SummarySnapshot.Builder deploys = SummarySnapshot.builder().name("zygote_host_deploy_duration_seconds")
                .help("Deploys ended, by outcome, and their durations from the reload to the last old worker gone.")
                .unit(Unit.SECONDS);
        apps.forEach(app -> app.deploys().forEach((outcome, total) -> deploys.dataPoint(SummaryDataPointSnapshot.builder()
                .labels(appLabels(app).add("outcome", outcome)).count(total.count()).sum(total.seconds()).build())));
        families.add(deploys.build());
        families.add(gauge("zygote_host_last_deploy_duration_seconds", "How long the app's last deploy took, by its outcome.",
                apps.stream().filter(app -> app.lastDeploy() != null).map(app -> point(
                        appLabels(app).add("outcome", app.lastDeploy().outcome()),
                        Duration.between(app.lastDeploy().startedAt(), app.lastDeploy().endedAt()).toMillis() / 1000.0))));
        return new MetricSnapshots(families.stream().filter(family -> !family.getDataPoints().isEmpty()).toList());
    }

    private static GaugeSnapshot memory(String name, String what, ToLongFunction<ProcessMemory> size, List<Version> versions) {
        return gauge(name, what + " of a version's processes, by kind, as of the master's last check (each second);"
                + " a process not measured yet counts 0.", versions.stream().flatMap(v -> Stream.of(
                        point(v.labels().add("process", "zygote"), Version.memory(v.generations().stream()
                                .map(HostStatus.Generation::zygote).filter(Objects::nonNull).map(HostStatus.Zygote::memory), size)),
                        point(v.labels().add("process", "worker"), Version.memory(v.workers().map(HostStatus.Worker::memory), size)))));
    }

    private static void host(HostStatus status, List<MetricSnapshot> families) {
        families.add(gauge("zygote_host_start_time_seconds", "When the master started, in seconds since the epoch.",
                Stream.of(point(Labels.EMPTY, seconds(status.startedAt())))));
        families.add(gauge("zygote_host_memory_limit_bytes", "host.memory_limit; 0 for none.",
                Stream.of(point(Labels.EMPTY, status.memoryLimit()))));
        if (status.master() != null) {
            families.add(gauge("zygote_host_master_pss_bytes", "PSS of the master process.",
                    Stream.of(point(Labels.EMPTY, status.master().pss()))));
            families.add(gauge("zygote_host_master_rss_bytes", "RSS of the master process.",
                    Stream.of(point(Labels.EMPTY, status.master().rss()))));
        }
        HostStatus.Reload reload = status.lastReload();
        if (reload != null) {
            families.add(gauge("zygote_host_last_reload_success", "1 if the last reload went through whole, 0 if not.",
                    Stream.of(point(Labels.EMPTY, reload.ok() ? 1 : 0))));
            families.add(gauge("zygote_host_last_reload_timestamp_seconds", "When the last reload ended.",
                    Stream.of(point(Labels.EMPTY, seconds(reload.at())))));
        }
    }

    /** One version of an app: its traffic, and its generations (usually one; two after a change that kept the version). */
    private record Version(HostStatus.App app, String version, Traffic traffic, List<HostStatus.Generation> generations) {

        Labels labels() {
            return Labels.of("app", app.name(), "version", version);
        }

        Stream<HostStatus.Worker> workers() {
            return generations.stream().flatMap(g -> g.workers().stream());
        }

        long sum(ToLongFunction<HostStatus.Worker> figure) {
            return workers().mapToLong(figure).sum();
        }

        /** Of the processes measured; one not measured yet adds nothing. */
        static long memory(Stream<ProcessMemory> measured, ToLongFunction<ProcessMemory> size) {
            return measured.filter(Objects::nonNull).mapToLong(size).sum();
        }
    }

    private static Stream<Version> versions(HostStatus.App app) {
        Map<String, List<HostStatus.Generation>> byVersion = new LinkedHashMap<>();
        app.traffic().keySet().forEach(version -> byVersion.put(version, new ArrayList<>()));
        app.generations().forEach(g -> byVersion.computeIfAbsent(g.version(), v -> new ArrayList<>()).add(g));
        return byVersion.entrySet().stream().map(e -> new Version(app, e.getKey(),
                app.traffic().getOrDefault(e.getKey(), Traffic.NONE), e.getValue()));
    }

    private static Labels appLabels(HostStatus.App app) {
        return Labels.of("app", app.name());
    }

    private static double seconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot gauge(String name, String help, Stream<GaugeDataPointSnapshot> points) {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
        points.forEach(gauge::dataPoint);
        return gauge.build();
    }

    private static CounterSnapshot counter(String name, String help, Stream<CounterDataPointSnapshot> points) {
        CounterSnapshot.Builder counter = CounterSnapshot.builder().name(name).help(help);
        points.forEach(counter::dataPoint);
        return counter.build();
    }
}
