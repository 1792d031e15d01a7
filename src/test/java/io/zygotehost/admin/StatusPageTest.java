package io.zygotehost.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.HostStatus;
import java.util.List;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The status page of a known snapshot, read with an HTML parser as a browser would. */
class StatusPageTest {

    private final HostStatus status = StatusFixture.status();
    private final Document page = Jsoup.parse(StatusPage.render(status, Optional.empty()));

    @Test
    void everyAppAndEveryWorkerIsOnThePage() {
        assertEquals(List.of("hello", "slow"), page.select("section.app").eachAttr("data-app"));
        Element hello = page.selectFirst("section.app[data-app=hello]");
        assertEquals(List.of("4705", "4708", "4711"), hello.select("tr.worker td.pid").eachText());
        assertEquals(List.of("#1", "4705", "ready", "5m03s", "13", "2", "0", "70", "100"),
                hello.selectFirst("tr.worker[data-pid=4705]").select("td").eachText());
        assertTrue(hello.text().contains("zygote 4674 ready, up 10m00s, PSS 50 MB, RSS 90 MB"), hello.text());
        assertTrue(hello.text().contains("deploying v1 -> v2 \"rc\" for 3.0s"), hello.text());
        assertTrue(hello.text().contains("last deploy: v1 done in 6.0s, 10m00s ago"), hello.text());
        assertTrue(hello.text().contains("spawned 4 workers, 2 zygotes; exits: 1 worker crashed"), hello.text());
        Element slow = page.selectFirst("section.app[data-app=slow]");
        assertEquals("problem: path /srv/slow does not exist", slow.selectFirst("p.bad").text());
        assertTrue(slow.select("tr.worker").isEmpty());
    }

    @Test
    void trafficShowsEachVersionsClassesAndPercentilesFromTheMergedBuckets() {
        Element v1 = page.selectFirst("section.app[data-app=hello] table.traffic tr:has(td:containsOwn(v1))");
        Traffic traffic = status.apps().getFirst().traffic().get("v1");
        assertEquals(List.of("v1", "118", "114", "0", "3", "1", StatusPage.latency(traffic, 0.5),
                StatusPage.latency(traffic, 0.9), StatusPage.latency(traffic, 0.99)), v1.select("td").eachText());
        assertEquals("0.5 ms", StatusPage.latency(traffic, 0.5), "rank 59 of the 108 under 1 ms");
        assertEquals("103.0 ms", StatusPage.latency(traffic, 0.95), "rank 112.1, the first of 5 in 0.1-0.25 s: 0.1 + 0.15 * 0.1 / 5");
        assertTrue(v1.hasClass("bad"), "a version that answered 5xx stands out");
        assertEquals("-", StatusPage.latency(Traffic.NONE, 0.5));
    }

    @Test
    void itFitsAPhoneRefreshesItselfAndLoadsNothingElse() {
        assertNotNull(page.selectFirst("meta[name=viewport][content=width=device-width, initial-scale=1]"));
        assertEquals(Integer.toString(StatusPage.REFRESH_SECONDS), page.selectFirst("meta[http-equiv=refresh]").attr("content"));
        assertTrue(page.select("script, link, img, iframe, [src]").isEmpty(), "no script and no asset to fetch");
        assertEquals("zygote-host (pid 4627)", page.title());
        assertEquals(List.of("/status.json", "/metrics"), page.select("footer a").eachAttr("href"));
    }

    @Test
    void theTokenOfTheUrlStaysInTheLinksAndWhatTheUserWroteIsEscaped() {
        // A version named with quotes and a failure with markup show as text; a token with & stays one parameter.
        Document withToken = Jsoup.parse(StatusPage.render(status, Optional.of("a&b c")));
        assertEquals(List.of("/status.json?token=a%26b+c", "/metrics?token=a%26b+c"), withToken.select("footer a").eachAttr("href"));
        assertEquals("v2 \"rc\" incoming, starting, fedcba987654", withToken.select("section.app[data-app=hello] h3").get(1).text());
        assertEquals("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;",
                StatusPage.escape("<script>alert(\"x\")</script> & '"));
        assertNull(withToken.selectFirst("script"));
    }
}
