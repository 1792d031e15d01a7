package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.it.ProcTree.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The host serving two apps, as a user starts it: one host for the whole class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingIT {

    private RunningHost host;
    private int helloPort;
    private int slowPort;
    private int ipv6Port;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        helloPort = RunningHost.freePort();
        slowPort = RunningHost.freePort();
        ipv6Port = RunningHost.freePort();
        host = RunningHost.start(dir, """
                hello:
                  path: %s
                  class: example.hello.HelloApp
                  listen: 127.0.0.1:%d
                  workers: 2
                  threads: 0
                slow:
                  path: %s
                  class: example.slow.SlowApp
                  listen: 127.0.0.1:%d
                  workers: 1
                  threads: 8
                six:
                  path: %s
                  class: example.hello.HelloApp
                  args: [--greeting, hi]
                  listen: "[::1]:%d"
                  workers: 1
                """.formatted(RunningHost.HELLO_V1, helloPort, RunningHost.SLOW, slowPort, RunningHost.HELLO_V1, ipv6Port));
        host.awaitWorkers("hello", 2);
        host.awaitWorkers("slow", 1);
        host.awaitWorkers("six", 1);
    }

    @AfterAll
    void stop() throws InterruptedException {
        host.close();
    }

    @Test
    void bothAppsAnswer() throws Exception {
        // Each app answers on its own port with its own handler.
        HttpResponse<String> hello = RunningHost.get(helloPort, "/");
        assertEquals(200, hello.statusCode());
        assertTrue(hello.body().startsWith("hello from v1 (worker "), hello.body());
        HttpResponse<String> slow = RunningHost.get(slowPort, "/?ms=10");
        assertEquals(200, slow.statusCode());
        assertTrue(slow.body().startsWith("slept 10 ms in slow worker "), slow.body());
    }

    @Test
    void anAppListensOnIpv6AndGetsItsArgs() throws Exception {
        // listen: "[::1]:PORT", and args reach the app through its context.
        try (Socket socket = new Socket("::1", ipv6Port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.contains("hi from v1 (worker 1)"), answer);
        }
    }

    @Test
    void theTreeIsMasterThenAZygotePerAppThenItsWorkers() {
        // ps shows role, app, version and worker id; each worker is a child of its app's zygote.
        List<Proc> masterChildren = ProcTree.childrenOf(host.pid());
        Proc helloZygote = only(masterChildren, "zygote-host: zygote hello@v1");
        Proc slowZygote = only(masterChildren, "zygote-host: zygote slow@1.0");
        List<Proc> helloWorkers = ProcTree.childrenBesidesTraining(helloZygote.pid());
        assertEquals(Set.of("zygote-host: worker hello@v1 #1", "zygote-host: worker hello@v1 #2"), titles(helloWorkers));
        assertEquals(Set.of("zygote-host: worker slow@1.0 #1"), titles(ProcTree.childrenBesidesTraining(slowZygote.pid())));
        assertTrue(ProcTree.all().stream().anyMatch(p -> p.pid() == host.pid() && p.title().startsWith("zygote-host: master ")));
    }

    @Test
    void requestsAreSpreadOverBothWorkers() throws Exception {
        // The shared listening socket hands connections to whichever worker accepts: both serve.
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 200 && answeredBy.size() < 2; i++) {
            answeredBy.add(rawRequest(helloPort, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").replaceAll("(?s).*\\(worker (\\d+)\\).*", "$1"));
        }
        assertEquals(Set.of("1", "2"), answeredBy);
    }

    @Test
    void blockingHandlersRunOnThePoolConcurrently() throws Exception {
        // threads: 8 in one worker: 8 requests that each sleep 1.5 s are all in the handlers at once
        // (the app counts them); a pool that ran them one at a time would show 1.
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                responses.add(clients.submit(() -> RunningHost.get(slowPort, "/?ms=1500")));
            }
            int mostTogether = 0;
            for (Future<HttpResponse<String>> response : responses) {
                assertEquals(200, response.get().statusCode());
                String together = response.get().body().replaceAll("(?s).*\\((\\d+) in its handlers\\).*", "$1");
                mostTogether = Math.max(mostTogether, Integer.parseInt(together));
            }
            assertEquals(8, mostTogether, "requests in the handlers at once");
        } finally {
            clients.shutdownNow();
        }
        String log = host.appLog("slow");
        assertTrue(log.isEmpty() || !log.contains("ERROR"), log);
    }

    @Test
    void keepAliveConnectionsServeManyRequests() throws Exception {
        // HTTP/1.1 keep-alive and pipelining: three requests on one connection, three answers in order.
        String request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        String answers = rawRequest(helloPort, request + request + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(3, answers.split("HTTP/1.1 200 OK", -1).length - 1, answers);
    }

    /** Sends raw bytes, reads until the server closes (or 10 s). */
    static String rawRequest(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static Proc only(List<Proc> procs, String title) {
        List<Proc> matching = procs.stream().filter(p -> p.title().equals(title)).toList();
        assertEquals(1, matching.size(), "one process titled '" + title + "' among " + procs);
        return matching.getFirst();
    }

    private static Set<String> titles(List<Proc> procs) {
        return new HashSet<>(procs.stream().map(Proc::title).toList());
    }

    static Set<Integer> pids(List<Proc> procs) {
        return new HashSet<>(procs.stream().map(Proc::pid).toList());
    }
}
