package io.zygotehost.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A known snapshot in Prometheus's text format 0.0.4, line by line. */
class PrometheusMetricsTest {

    private final String text = write(PrometheusTextFormatWriter.create());

    @Test
    void requestsAreCountedByVersionAndStatusClassWithTheirTypeAndHelp() {
        // v1: 14 from its live workers and 100 from a worker that has exited; v2 is deploying and has answered nothing.
        assertLines("""
                # HELP zygote_host_requests_total Responses written by the workers of a version, by status class.
                # TYPE zygote_host_requests_total counter
                zygote_host_requests_total{app="hello",status="1xx",version="v1"} 0.0
                zygote_host_requests_total{app="hello",status="1xx",version="v2 \\"rc\\""} 0.0
                zygote_host_requests_total{app="hello",status="2xx",version="v1"} 114.0
                zygote_host_requests_total{app="hello",status="2xx",version="v2 \\"rc\\""} 0.0
                zygote_host_requests_total{app="hello",status="3xx",version="v1"} 0.0
                zygote_host_requests_total{app="hello",status="3xx",version="v2 \\"rc\\""} 0.0
                zygote_host_requests_total{app="hello",status="4xx",version="v1"} 3.0
                zygote_host_requests_total{app="hello",status="4xx",version="v2 \\"rc\\""} 0.0
                zygote_host_requests_total{app="hello",status="5xx",version="v1"} 1.0
                zygote_host_requests_total{app="hello",status="5xx",version="v2 \\"rc\\""} 0.0
                """);
        assertFalse(text.contains("app=\"slow\",status="), "slow runs no version: no traffic series");
    }

    @Test
    void latencyIsAClassicHistogramOfTheWorkersBucketsAddedUp() {
        // Worker 1: 8, 2, 1, 1 in the first four buckets and 1 past 10 s; worker 2: 5 in 0.1-0.25 s; the exited: 100 under 1 ms.
        assertLines("""
                # TYPE zygote_host_request_duration_seconds histogram
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.001"} 108
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.0025"} 110
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.005"} 111
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.01"} 112
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.025"} 112
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.05"} 112
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.1"} 112
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.25"} 117
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="0.5"} 117
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="1.0"} 117
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="2.5"} 117
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="5.0"} 117
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="10.0"} 117
                zygote_host_request_duration_seconds_bucket{app="hello",version="v1",le="+Inf"} 118
                zygote_host_request_duration_seconds_count{app="hello",version="v1"} 118
                zygote_host_request_duration_seconds_sum{app="hello",version="v1"} 12.995
                """);
    }

    @Test
    void processesAreCountedByStateKindAndCause() {
        assertLines("""
                zygote_host_workers{app="hello",state="ready",version="v1"} 2.0
                zygote_host_workers{app="hello",state="ready",version="v2 \\"rc\\""} 0.0
                zygote_host_workers{app="hello",state="spare",version="v1"} 1.0
                """);
        assertLines("""
                zygote_host_in_flight_requests{app="hello",version="v1"} 3.0
                """);
        assertLines("""
                zygote_host_stuck_handlers{app="hello",version="v1"} 1.0
                """);
        assertLines("""
                zygote_host_pss_bytes{app="hello",process="worker",version="v1"} 1.48897792E8
                zygote_host_pss_bytes{app="hello",process="worker",version="v2 \\"rc\\""} 0.0
                zygote_host_pss_bytes{app="hello",process="zygote",version="v1"} 5.24288E7
                """);
        assertLines("""
                # TYPE zygote_host_exits_total counter
                zygote_host_exits_total{app="hello",cause="crashed",process="worker"} 1.0
                zygote_host_exits_total{app="hello",cause="crashed",process="zygote"} 0.0
                """);
        assertLines("""
                zygote_host_spawns_total{app="hello",process="worker"} 4.0
                zygote_host_spawns_total{app="hello",process="zygote"} 2.0
                zygote_host_spawns_total{app="slow",process="worker"} 0.0
                """);
    }

    @Test
    void deploysReloadsAndTheHostItself() {
        assertLines("""
                # TYPE zygote_host_deploy_duration_seconds summary
                zygote_host_deploy_duration_seconds_count{app="hello",outcome="abandoned"} 0
                zygote_host_deploy_duration_seconds_sum{app="hello",outcome="abandoned"} 0.0
                """);
        assertLines("""
                zygote_host_deploy_duration_seconds_count{app="hello",outcome="done"} 1
                zygote_host_deploy_duration_seconds_sum{app="hello",outcome="done"} 6.0
                """);
        assertLines("""
                zygote_host_last_deploy_duration_seconds{app="hello",outcome="done"} 6.0
                """);
        assertLines("""
                zygote_host_app_deploying{app="hello"} 1.0
                zygote_host_app_deploying{app="slow"} 0.0
                """);
        assertLines("""
                zygote_host_app_problem{app="hello"} 0.0
                zygote_host_app_problem{app="slow"} 1.0
                """);
        assertLines("""
                zygote_host_last_reload_success 1.0
                """);
        assertLines("""
                zygote_host_last_reload_timestamp_seconds 1.795435197E9
                """);
        assertLines("""
                zygote_host_start_time_seconds 1.79543459E9
                """);
        assertLines("""
                zygote_host_master_pss_bytes 4.194304E7
                """);
    }

    @Test
    void everySampleLineIsANameLabelsAndANumber() {
        // The grammar of a 0.0.4 sample line, checked on each: no stray line, no unescaped quote in a label.
        for (String line : text.lines().toList()) {
            assertTrue(line.matches("# (HELP|TYPE) zygote_host_[a-z_]+ .+")
                            || line.matches("zygote_host_[a-z_]+(\\{[a-z_]+=\"([^\"\\\\]|\\\\.)*\"(,[a-z_]+=\"([^\"\\\\]|\\\\.)*\")*})? "
                            + "-?[0-9.E+-]+"),
                    line);
        }
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void openMetricsCarriesTheSameFamilies() {
        // Prometheus asks for OpenMetrics: the same samples, the unit declared, and the closing # EOF.
        String openMetrics = write(OpenMetricsTextFormatWriter.create());
        assertTrue(openMetrics.contains("# UNIT zygote_host_request_duration_seconds seconds\n"), openMetrics);
        assertTrue(openMetrics.contains("zygote_host_requests_total{app=\"hello\",status=\"2xx\",version=\"v1\"} 114.0\n"), openMetrics);
        assertTrue(openMetrics.endsWith("# EOF\n"), openMetrics);
    }

    @Test
    void seriesOfAllWorkerStatesAreShownAtZero() {
        long states = text.lines().filter(l -> l.startsWith("zygote_host_workers{app=\"hello\"") && l.contains("version=\"v1\"")).count();
        assertEquals(8, states, "every state of a worker's life, so a rate or an alert works from the start");
    }

    /** The lines appear in the text, one after the other, in this order. */
    private void assertLines(String lines) {
        assertTrue(text.contains(lines), "expected\n" + lines + "in\n" + text);
    }

    private static String write(ExpositionFormatWriter writer) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.write(out, PrometheusMetrics.of(StatusFixture.status()));
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

}
