package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zygotehost.status.HostStatus;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The admin status page as headless Chromium renders it: every app and every worker, on a phone's screen. */
class StatusPageIT {

    /** A phone's viewport, in CSS pixels. */
    private static final int WIDTH = 390;
    private static final int HEIGHT = 844;
    private static final int REQUESTS = 20;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void thePageShowsEveryAppAndEveryWorkerPidInHeadlessChromium() throws Exception {
        // Two apps, one with a spare: the page, loaded with ?token= as a browser would, lists each of them.
        Path chromium = TestTools.chromium();
        int adminPort = RunningHost.freePort();
        int helloPort = RunningHost.freePort();
        int slowPort = RunningHost.freePort();
        String apps = RunningHost.hello(RunningHost.HELLO_V1, helloPort, "workers: 2\nspares: 1\nthreads: 0\n")
                + RunningHost.slow(slowPort, "workers: 1\n");
        try (RunningHost host = RunningHost.start(dir, AdminIT.admin(adminPort), apps)) {
            AdminIT.awaitAnswer(adminPort);
            HostStatus status = AdminIT.awaitStatus(adminPort, "hello: 2 ready and a spare, slow: 1 ready, as /proc shows",
                    s -> states(s, "hello").equals(Map.of("ready", 2L, "spare", 1L)) && states(s, "slow").equals(Map.of("ready", 1L))
                            && s.apps().stream().allMatch(app -> AdminIT.workerPids(app).equals(ServingIT.pids(host.workers(app.name())))));
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(200, RunningHost.get(helloPort, "/").statusCode());
            }
            AdminIT.awaitStatus(adminPort, "hello's " + REQUESTS + " requests counted",
                    s -> s.apps().getFirst().traffic().get("v1").requests() == REQUESTS);

            String url = "http://127.0.0.1:" + adminPort + "/?token=" + URLEncoder.encode(AdminIT.TOKEN, StandardCharsets.UTF_8);
            Path screenshot = dir.resolve("status-page.png");
            run(chromium, "--window-size=" + WIDTH + "," + HEIGHT, "--screenshot=" + screenshot, url);
            String dom = run(chromium, "--dump-dom", url);

            Document page = Jsoup.parse(dom);
            assertEquals("zygote-host (pid " + host.pid() + ")", page.title(), dom);
            assertNotNull(page.selectFirst("meta[name=viewport][content*=width=device-width]"), "readable on a phone");
            assertNotNull(page.selectFirst("meta[http-equiv=refresh]"), "it refreshes itself");
            assertEquals(List.of("hello", "slow"), page.select("section.app").eachAttr("data-app"), dom);
            for (HostStatus.App app : status.apps()) {
                Element section = page.selectFirst("section.app[data-app=" + app.name() + "]");
                assertTrue(section.selectFirst("h2").text().startsWith(app.name() + " "), section.outerHtml());
                Set<Integer> shown = section.select("tr.worker td.pid").eachText().stream().map(Integer::valueOf)
                        .collect(Collectors.toSet());
                assertEquals(ServingIT.pids(host.workers(app.name())), shown, app.name() + "'s workers:\n" + section.outerHtml());
                assertTrue(section.text().contains("zygote " + app.generations().getFirst().zygote().pid() + " ready"),
                        section.text());
            }
            Element spare = page.selectFirst("section.app[data-app=hello] tr.worker:has(td.state:containsOwn(spare))");
            assertNotNull(spare, "the spare is shown as one:\n" + dom);
            Element helloTraffic = page.selectFirst("section.app[data-app=hello] table.traffic");
            assertNotNull(helloTraffic, dom);
            assertEquals(List.of("v1", Integer.toString(REQUESTS), Integer.toString(REQUESTS)),
                    helloTraffic.select("tr").get(1).select("td").eachText().subList(0, 3), "version, requests, 2xx");
            assertNotNull(page.selectFirst("footer a[href^=/metrics?token=]"), "the links keep the token:\n" + dom);

            assertScreenshot(screenshot);
            Files.copy(screenshot, RunningHost.ROOT.resolve("target/status-page.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A real PNG of the window's size, with something drawn on it (text is several colors on a plain background). */
    private static void assertScreenshot(Path file) throws IOException {
        assertTrue(Files.exists(file), "Chromium wrote no screenshot");
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > PNG_SIGNATURE.length
                && Arrays.equals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length)), "not a PNG: " + file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "ImageIO cannot read " + file);
        assertEquals(List.of(WIDTH, HEIGHT), List.of(image.getWidth(), image.getHeight()));
        int background = image.getRGB(0, 0);
        Set<Integer> colors = new HashSet<>();
        long drawn = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                colors.add(rgb);
                drawn += rgb == background ? 0 : 1;
            }
        }
        assertTrue(colors.size() > 10, "a blank page? " + colors.size() + " colors");
        assertTrue(drawn > WIDTH * HEIGHT / 100, "under 1% of the page is drawn: " + drawn + " pixels");
    }

    /** Runs headless Chromium to its end (bounded) and returns what it printed; nothing of it is left running. */
    private String run(Path chromium, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + dir.resolve("chromium")));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Path err = Files.createTempFile(dir, "chromium", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                fail("chromium did not end within 90s: " + command + "\n" + Files.readString(err));
            }
            assertEquals(0, process.exitValue(), "chromium " + command + " failed:\n" + Files.readString(err));
            return Files.readString(out);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static Map<String, Long> states(HostStatus status, String app) {
        return status.apps().stream().filter(a -> a.name().equals(app)).flatMap(a -> a.generations().stream())
                .flatMap(g -> g.workers().stream()).collect(Collectors.groupingBy(HostStatus.Worker::state, Collectors.counting()));
    }
}
