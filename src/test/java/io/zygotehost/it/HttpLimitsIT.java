package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad HTTP input gets its status and closes only its own connection: one host for the class, and a
 * counting load generator on the same app throughout, which must see no failure. The last test checks
 * that the same workers still serve: no input killed one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpLimitsIT {

    private RunningHost host;
    private int helloPort;
    private int slowPort;
    private LoadGenerator load;
    private Set<Integer> helloWorkers;
    private Set<Integer> slowWorkers;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        helloPort = RunningHost.freePort();
        slowPort = RunningHost.freePort();
        host = RunningHost.start(dir, """
                hello:
                  path: %s
                  class: example.hello.HelloApp
                  listen: 127.0.0.1:%d
                  workers: 2
                  threads: 0
                  max_body: 4k
                  header_timeout: 2s
                slow:
                  path: %s
                  class: example.slow.SlowApp
                  listen: 127.0.0.1:%d
                  workers: 1
                  threads: 4
                  request_timeout: 1s
                """.formatted(RunningHost.HELLO_V1, helloPort, RunningHost.SLOW, slowPort));
        host.awaitWorkers("hello", 2);
        host.awaitWorkers("slow", 1);
        helloWorkers = ServingIT.pids(host.workers("hello"));
        slowWorkers = ServingIT.pids(host.workers("slow"));
        load = LoadGenerator.start(helloPort, "/", 4);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (load != null) {
            load.close();
        }
        host.close();
    }

    @Test
    @Order(1)
    void garbageGetsA400() throws Exception {
        // Bytes that are not HTTP, and a Content-Length that is not a number.
        assertAnswer(400, ServingIT.rawRequest(helloPort, "THIS IS NOT HTTP\r\n\r\n"));
        assertAnswer(400, ServingIT.rawRequest(helloPort, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"));
    }

    @Test
    @Order(1)
    void aRequestLineOverMaxRequestLineGetsA414() throws Exception {
        // Over the default 8k.
        assertAnswer(414, ServingIT.rawRequest(helloPort, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @Test
    @Order(1)
    void headersOverMaxHeaderSizeGetA431() throws Exception {
        // Over the default 16k.
        assertAnswer(431, ServingIT.rawRequest(helloPort, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"));
    }

    @Test
    @Order(1)
    void aBodyOverMaxBodyGetsA413EvenWhileItStillArrives() throws Exception {
        // A 1 MB body against max_body: 4k, still being sent when the 413 comes: the lingering close keeps the
        // reset from eating the answer. The same declared size expecting 100-continue: a 413, no 100.
        String head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n";
        assertAnswer(413, talk(head, Collections.nCopies(64, "x".repeat(16_384)), 0));
        String answer = ServingIT.rawRequest(helloPort,
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nExpect: 100-continue\r\n\r\n");
        assertAnswer(413, answer);
        assertFalse(answer.contains("100 Continue"), answer);
    }

    @Test
    @Order(1)
    void aHeadTrickledSlowerThanHeaderTimeoutGetsA408AndTheConnectionCloses() throws Exception {
        // Slowloris: a header byte every 250 ms for 6 s, then the end of the head; header_timeout is 2s. The answer
        // is a 408 and EOF. Were the setting ignored (the default is 10s), the head would complete and get a 200.
        List<String> trickle = new ArrayList<>(Collections.nCopies(24, "X"));
        trickle.add("\r\n\r\n");
        assertAnswer(408, talk("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", trickle, 250));
    }

    @Test
    @Order(1)
    void aHalfClosedClientGetsItsResponse() throws Exception {
        // A request to a handler that takes 300 ms, then shutdown of the client's sending side (SHUT_WR) while it
        // runs: the response still comes, then EOF.
        try (Socket socket = new Socket("127.0.0.1", slowPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.contains("slept 300 ms"), answer);
        }
    }

    @Test
    @Order(1)
    void aHandlerPastRequestTimeoutGetsA503AndIsLogged() throws Exception {
        // The slow app sleeps 4 s against request_timeout: 1s: a 503, one line in the app's log; the app serves on.
        assertEquals(503, RunningHost.get(slowPort, "/?ms=4000").statusCode());
        RunningHost.await("the slow app's log names the request", Duration.ofSeconds(10),
                () -> RunningHost.read(host.dir.resolve("logs/slow.log")).contains("GET /?ms=4000 still in its handler after"));
        assertEquals(200, RunningHost.get(slowPort, "/?ms=10").statusCode());
    }

    @Test
    @Order(2)
    void theSameWorkersServeAndTheLoadNeverFailed() throws Exception {
        // After all of the above: no worker was replaced, every app answers, and no client of the load failed.
        assertEquals(200, RunningHost.get(helloPort, "/").statusCode());
        load.close();
        assertTrue(load.ok.sum() > 0, load.toString());
        assertEquals(0, load.failed(), load.toString());
        assertEquals(helloWorkers, ServingIT.pids(host.workers("hello")));
        assertEquals(slowWorkers, ServingIT.pids(host.workers("slow")));
        String log = host.appLog("hello");
        assertFalse(log.contains("ERROR") || log.contains("LEAK"), log);
    }

    private static void assertAnswer(int status, String answer) {
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        assertTrue(answer.toLowerCase().contains("connection: close"), answer);
    }

    /**
     * Sends {@code first}, then each chunk with a pause between them from another thread, while this one
     * reads the answer until the server closes (EOF; at most 10 s). The writer stops when the server closes.
     */
    private String talk(String first, List<String> chunks, long pauseMillis) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", helloPort)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(first.getBytes(StandardCharsets.ISO_8859_1));
            Thread writer = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    for (String chunk : chunks) {
                        out.write(chunk.getBytes(StandardCharsets.ISO_8859_1));
                        Thread.sleep(pauseMillis);
                    }
                } catch (IOException | InterruptedException closed) {
                    // The server closed the connection, or the answer is in.
                }
            });
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            writer.interrupt();
            writer.join(10_000);
            return answer;
        }
    }
}
